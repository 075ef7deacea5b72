import type { FastifyInstance } from 'fastify';
import type { ReplicaDrain } from '../drain/replica-drain.js';

/**
 * Liveness and readiness for orchestrators and balancers: ready stops being true as soon as a
 * drain (cluster mode, SIGTERM) or a shutdown starts, so no new work is sent here.
 */
export async function healthChecks(app: FastifyInstance, { drain }: { drain: ReplicaDrain }) {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (closing) return reply.code(503).send({ status: 'draining' });
    const draining = drain.status();
    if (draining) return reply.code(503).send({ status: 'draining', ...draining });
    return { status: 'ready' };
  });
}
