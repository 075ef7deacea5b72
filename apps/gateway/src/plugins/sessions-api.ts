import type { FastifyInstance } from 'fastify';
import type { SessionRegistry } from '../session/session-registry.js';

/**
 * Live sessions: the asking owner's own (for reattaching after a reload or from another tab),
 * every owner's for administrators, and ending one — an administrator's kill switch, or the
 * owner's way to free a session left behind in a closed window.
 */
export async function sessionsApi(app: FastifyInstance, { registry }: { registry: SessionRegistry }) {
  app.get('/api/sessions', async (request) => registry.list(request.owner));

  app.get('/api/admin/sessions', async (request, reply) => {
    if (!request.gatewayUser?.admin)
      return reply.code(403).send({ error: 'the list of all sessions is for administrators' });
    return registry.listAll();
  });

  app.delete<{ Params: { sessionId: string } }>('/api/sessions/:sessionId', async (request, reply) => {
    const user = request.gatewayUser;
    const ended = registry.end(request.params.sessionId, {
      owner: request.owner,
      // Without sign-in (loopback only) the browser ends its own sessions.
      name: user?.name ?? 'this browser',
      admin: user?.admin ?? false,
    });
    // "Not yours" and "does not exist" look the same, so ids cannot be probed.
    if (!ended) return reply.code(404).send({ error: 'no such session' });
    return reply.code(204).send();
  });
}
