import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { DatabaseUnavailableError } from '../storage/database-unavailable.js';

/**
 * A request that needs the shared database while it is unreachable (a sign-in, the sign-in check
 * of a request or WebSocket upgrade, the audit trail) is answered 503 with words, not a 500 and
 * a stack; every other error goes on to fastify's own handler.
 */
export const databaseOutage = fastifyPlugin(async (app: FastifyInstance) => {
  const fallback = app.errorHandler;
  app.setErrorHandler(function (error, request, reply) {
    if (!(error instanceof DatabaseUnavailableError)) return fallback.call(this, error, request, reply);
    request.log.warn({ err: error.cause, url: request.url }, 'refused: the shared database is unavailable');
    return reply.code(503).header('retry-after', '5').send({ error: error.message });
  });
});
