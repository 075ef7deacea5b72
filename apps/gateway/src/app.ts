import { fileURLToPath } from 'node:url';
import fastifyWebsocket from '@fastify/websocket';
import { FLOW_CONTROL, MAX_FRAME_BYTES } from '@vigil/protocol';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { internalApi } from './cluster/internal-api.js';
import { type Cluster, prepareCluster } from './cluster/join-cluster.js';
import type { Config } from './config/config-schema.js';
import { ReplicaDrain } from './drain/replica-drain.js';
import { auditApi } from './plugins/audit-api.js';
import { clientIdentity } from './plugins/client-identity.js';
import { databaseOutage } from './plugins/database-outage.js';
import { gatewayAuth } from './plugins/gateway-auth.js';
import { GatewayMetrics, metricsEndpoint } from './plugins/gateway-metrics.js';
import { healthChecks } from './plugins/health-checks.js';
import { securityHeaders } from './plugins/security-headers.js';
import { sessionsApi } from './plugins/sessions-api.js';
import { targetsApi } from './plugins/targets-api.js';
import { terminalSocket } from './plugins/terminal-socket.js';
import { webApp } from './plugins/web-app.js';
import { RecordingHealth } from './recording/recording-health.js';
import { openRecordingStore } from './recording/store/open-recording-store.js';
import { SessionRegistry } from './session/session-registry.js';
import { openStorage } from './storage/open-storage.js';
import { TargetAllowlist } from './targets/target-allowlist.js';
import { loadTargetKeys } from './targets/target-keys.js';

/** The web app's build, where the workspace (and the container image) puts it. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Builds the gateway without listening, so tests can inject requests or listen on a free port. */
export async function buildApp(
  config: Config,
  options: {
    logger?: FastifyServerOptions['logger'];
    /** Where the S3 credentials and VIGIL_DATABASE_URL come from. @default process.env */
    env?: NodeJS.ProcessEnv;
  } = {},
) {
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
    // Only the configured proxies' X-Forwarded-* headers count; anyone else could forge them.
    trustProxy: config.listen.trustProxy.length > 0 ? config.listen.trustProxy : false,
  });
  const metrics = new GatewayMetrics();
  const recordings = await openRecordingStore(config, app.log, options.env);
  const storage = await openStorage(config, app.log, options.env).catch(async (error: unknown) => {
    await recordings?.close();
    throw error;
  });
  const { audit } = storage;
  const registry = new SessionRegistry(
    metrics,
    audit,
    {
      detachedGraceMs: config.sessions.detachedGrace * 1000,
      idleTimeoutMs: config.limits.idleTimeout * 1000,
      replayBufferBytes: config.sessions.replayBuffer,
      lossless: config.sessions.overflow === 'pause',
      flow: {
        // The socket guard only catches a browser that acknowledges faster than the network drains.
        socketHighWatermark: FLOW_CONTROL.windowCeiling,
        socketLowWatermark: FLOW_CONTROL.windowFloor,
        // The recording thread works best with a few MiB queued: a tighter window stopped the
        // channel whenever the thread lagged a little, and the two took turns instead of overlapping.
        recordingHighWatermark: 4 * 1024 * 1024,
        recordingLowWatermark: 2 * 1024 * 1024,
      },
    },
    recordings && {
      store: recordings,
      input: config.recordings.input,
      health: new RecordingHealth(recordings.directory, config.recordings.whenImpossible),
    },
  );
  const allowlist = new TargetAllowlist(config, await loadTargetKeys(config.targets));
  const cluster: Cluster | undefined =
    storage.cluster && (await prepareCluster(config, storage.cluster, { audit, registry, log: app.log }));
  // Draining also tells the other replicas, so the admin page shows it.
  const drain = new ReplicaDrain(
    registry,
    config.sessions.drainLimit * 1000,
    app.log,
    undefined,
    async () => {
      await cluster?.membership()?.drain();
    },
  );

  // Registered before the WebSocket plugin so it runs first on shutdown: sessions are closed and
  // browsers told why while their sockets are still open (the plugin then closes the sockets).
  app.addHook('preClose', async () => {
    await registry.closeAll('the gateway is shutting down', 'GATEWAY_SHUTTING_DOWN');
    // Every session here ended and was audited: leave, so no other replica takes us for lost.
    await cluster?.membership()?.leave();
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  // First, so every plugin after it answers an unreachable shared database with a 503 in words.
  await app.register(databaseOutage);
  await app.register(securityHeaders);
  await app.register(clientIdentity);
  await app.register(gatewayAuth, {
    auth: config.auth,
    audit,
    throttle: storage.signInThrottle,
    sessions: storage.signIns,
  });
  await app.register(healthChecks, { drain, joined: () => !cluster || cluster.membership() !== undefined });
  await app.register(metricsEndpoint, { metrics });
  await app.register(targetsApi, { allowlist });
  await app.register(sessionsApi, { registry, peers: cluster?.peers });
  await app.register(auditApi, { audit, recordings });
  const connection = {
    config,
    allowlist,
    registry,
    metrics,
    audit,
    firstUseKeys: storage.firstUseKeys,
    drain,
  };
  await app.register(terminalSocket, { ...connection, peers: cluster?.peers });
  if (cluster) await app.register(internalApi, { tokens: cluster.tokens, registry, connection });
  await app.register(webApp, { root: config.webRoot ?? DEFAULT_WEB_ROOT });
  app.addHook('onClose', async () => {
    await storage.close();
    await recordings?.close();
  });
  /** In a cluster, call once listening: the replica joins with the address it listens on. */
  const joinCluster = async (listening: { host: string; port: number }) => {
    await cluster?.join(listening);
  };
  // Only replicas drain: one process alone has no other to take its new work.
  return { app, registry, audit, joinCluster, drain: storage.side === 'shared' ? drain : undefined };
}
