import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HopRequester } from '../cluster/hop-token.js';
import type { ReplicaPeers } from '../cluster/replica-peers.js';
import type { SessionRegistry } from '../session/session-registry.js';

/**
 * Live sessions: the asking owner's own (for reattaching after a reload or from another tab),
 * every owner's for administrators, and ending one — an administrator's kill switch, or the
 * owner's way to free a session left behind in a closed window. In a cluster each answer covers
 * every replica: lists gather the others' sessions, an end is carried to the owning replica.
 */
export async function sessionsApi(
  app: FastifyInstance,
  { registry, peers }: { registry: SessionRegistry; peers: ReplicaPeers | undefined },
) {
  const requesterOf = (request: FastifyRequest): HopRequester => ({
    owner: request.owner,
    // Without sign-in (loopback only) the browser ends its own sessions.
    name: request.gatewayUser?.name ?? 'this browser',
    admin: request.gatewayUser?.admin ?? false,
    source: request.ip,
  });

  app.get('/api/sessions', async (request) => {
    const here = registry.list(request.owner);
    if (!peers) return here;
    const elsewhere = await peers.sessionsElsewhere(requesterOf(request), 'own');
    return [
      ...here,
      ...elsewhere.map(({ sessionId, target, username, startedAt, attached }) => ({
        sessionId,
        target,
        username,
        startedAt,
        attached,
      })),
    ];
  });

  app.get('/api/admin/sessions', async (request, reply) => {
    if (!request.gatewayUser?.admin)
      return reply.code(403).send({ error: 'the list of all sessions is for administrators' });
    const here = registry.listAll();
    return peers ? [...here, ...(await peers.sessionsElsewhere(requesterOf(request), 'all'))] : here;
  });

  app.delete<{ Params: { sessionId: string } }>('/api/sessions/:sessionId', async (request, reply) => {
    const requester = requesterOf(request);
    const { sessionId } = request.params;
    // "Not yours" and "does not exist" look the same, so ids cannot be probed.
    const notFound = () => reply.code(404).send({ error: 'no such session' });
    if (registry.end(sessionId, requester)) return reply.code(204).send();
    if (!peers) return notFound();
    const remote = await peers.end(sessionId, requester);
    if (remote === 'ended') return reply.code(204).send();
    if (remote === 'unreachable')
      return reply
        .code(502)
        .send({ error: 'the gateway replica holding this session did not answer; try again' });
    return notFound();
  });
}
