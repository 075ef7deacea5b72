import type { FastifyInstance } from 'fastify';
import type { ReplicaDrain } from '../drain/replica-drain.js';

/**
 * Liveness and readiness for orchestrators and balancers: ready once a replica has joined its
 * cluster, and no longer as soon as a drain (cluster mode, SIGTERM) or a shutdown starts, so no
 * new work is sent here.
 */
export async function healthChecks(
  app: FastifyInstance,
  { drain, joined }: { drain: ReplicaDrain; joined: () => boolean },
) {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (closing) return reply.code(503).send({ status: 'draining' });
    // A replica takes sessions once it is in the cluster's directory, where others can find them.
    if (!joined()) return reply.code(503).send({ status: 'joining' });
    const draining = drain.status();
    if (draining) return reply.code(503).send({ status: 'draining', ...draining });
    return { status: 'ready' };
  });
}
