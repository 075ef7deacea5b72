import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Serves the built browser app; without a build, says how to make one instead of a bare 404. */
export async function webApp(app: FastifyInstance, { root }: { root: string }) {
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'web app not built; run `pnpm build`');
    app.get('/', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send(`The web app is not built (looked in ${root}). Run: pnpm build\n`),
    );
    return;
  }
  await app.register(fastifyStatic, { root, index: 'index.html', maxAge: '1h', immutable: false });
}
