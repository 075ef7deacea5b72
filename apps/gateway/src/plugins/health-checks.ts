import type { FastifyInstance } from 'fastify';

/** Liveness and readiness for orchestrators: ready stops being true as soon as shutdown starts. */
export async function healthChecks(app: FastifyInstance) {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    draining ? reply.code(503).send({ status: 'draining' }) : { status: 'ready' },
  );
}
