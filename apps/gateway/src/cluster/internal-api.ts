import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BrowserConnection, type ConnectionDeps } from '../session/browser-connection.js';
import type { SessionRegistry } from '../session/session-registry.js';
import { INTERNAL_TERMINAL_PATH } from './hop-relay.js';
import { HOP_HEADER, type HopClaims, type HopPurpose, type HopTokens } from './hop-token.js';
import { INTERNAL_SESSIONS_PATH } from './replica-peers.js';

/**
 * The API replicas offer each other (the balancer denies /internal/ to the outside): the owner's
 * end of a relayed attach, its sessions for a list, and an end carried from another replica.
 * Every request carries a hop token for its one purpose; a forged, expired or replayed one is
 * refused with 401 and logged. What is served here is only this replica's own sessions, so a
 * request never travels a second hop.
 */
export async function internalApi(
  app: FastifyInstance,
  {
    tokens,
    registry,
    connection,
  }: {
    tokens: HopTokens;
    registry: SessionRegistry;
    connection: Omit<ConnectionDeps, 'log' | 'owner' | 'user' | 'source' | 'hop' | 'peers'>;
  },
) {
  const verified = new WeakMap<FastifyRequest, HopClaims>();
  const check =
    (purpose: HopPurpose) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const header = request.headers[HOP_HEADER];
      const verdict = tokens.verify(typeof header === 'string' ? header : undefined, purpose);
      if (!verdict.ok) {
        request.log.warn({ reason: verdict.reason, ip: request.ip }, 'internal hop refused');
        await reply.code(401).send({ error: 'internal requests need a valid hop token' });
        return;
      }
      verified.set(request, verdict.claims);
    };
  const claimsOf = (request: FastifyRequest): HopClaims => {
    const claims = verified.get(request);
    if (!claims) throw new Error('an internal route ran without its hop check');
    return claims;
  };

  app.get(INTERNAL_TERMINAL_PATH, { websocket: true, preValidation: check('attach') }, (socket, request) => {
    const claims = claimsOf(request);
    const { requester } = claims;
    new BrowserConnection(socket, {
      ...connection,
      log: request.log.child({ hopFrom: claims.from }),
      owner: requester.owner,
      user: undefined,
      source: requester.source,
      hop: { sessionId: claims.sessionId },
    });
  });

  app.get<{ Querystring: { scope?: string } }>(
    INTERNAL_SESSIONS_PATH,
    { preValidation: check('list') },
    async (request) => {
      const { requester } = claimsOf(request);
      const all = registry.listAll();
      return request.query.scope === 'all' && requester.admin
        ? all
        : all.filter((session) => session.owner === requester.owner);
    },
  );

  app.delete<{ Params: { sessionId: string } }>(
    `${INTERNAL_SESSIONS_PATH}/:sessionId`,
    { preValidation: check('end') },
    async (request, reply) => {
      const { requester, sessionId } = claimsOf(request);
      if (sessionId !== request.params.sessionId) return reply.code(404).send({ error: 'no such session' });
      const ended = registry.end(sessionId, requester);
      return ended ? reply.code(204).send() : reply.code(404).send({ error: 'no such session' });
    },
  );
}
