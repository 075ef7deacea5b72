import { fileURLToPath } from 'node:url';
import fastifyWebsocket from '@fastify/websocket';
import { MAX_FRAME_BYTES } from '@vigil/protocol';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Config } from './config/config-schema.js';
import { GatewayMetrics, metricsEndpoint } from './plugins/gateway-metrics.js';
import { healthChecks } from './plugins/health-checks.js';
import { targetsApi } from './plugins/targets-api.js';
import { terminalSocket } from './plugins/terminal-socket.js';
import { webApp } from './plugins/web-app.js';
import { SessionRegistry } from './session/session-registry.js';
import { TargetAllowlist } from './targets/target-allowlist.js';

/** The web app's build, where the workspace (and the container image) puts it. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Builds the gateway without listening, so tests can inject requests or listen on a free port. */
export async function buildApp(config: Config, options: { logger?: FastifyServerOptions['logger'] } = {}) {
  const app = Fastify({
    logger: options.logger ?? {
      redact: [
        'req.headers.cookie',
        'req.headers.authorization',
        '*.password',
        '*.privateKey',
        '*.passphrase',
      ],
    },
    // Bound headers and bodies: nothing this API accepts is large.
    bodyLimit: 64 * 1024,
  });
  const metrics = new GatewayMetrics();
  const registry = new SessionRegistry(metrics);
  const allowlist = new TargetAllowlist(config);

  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  await app.register(healthChecks);
  await app.register(metricsEndpoint, { metrics });
  await app.register(targetsApi, { allowlist });
  await app.register(terminalSocket, { config, allowlist, registry, metrics });
  await app.register(webApp, { root: config.webRoot ?? DEFAULT_WEB_ROOT });
  app.addHook('onClose', async () => registry.closeAll());
  return { app, registry };
}
