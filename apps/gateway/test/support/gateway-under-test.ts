import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import { buildApp } from '../../src/app.js';
import type { AuditLog } from '../../src/audit/audit-log.js';
import { type Config, configSchema } from '../../src/config/config-schema.js';
import type { SessionRegistry } from '../../src/session/session-registry.js';
import { ProtocolClient } from './protocol-client.js';

export interface GatewayUnderTest {
  sshd: SshdFixture;
  config: Config;
  audit: AuditLog;
  /** The gateway's sessions, for tests that must act at an exact point of one (a heartbeat sent). */
  registry: SessionRegistry;
  /** Closes the gateway as SIGTERM does (the clients stay connected until it closes them). */
  shutdown(): Promise<void>;
  baseUrl: string;
  wsUrl: string;
  connect(headers?: Record<string, string>, keepBytes?: number, autoPong?: boolean): Promise<ProtocolClient>;
  /** A fresh browser identity: the cookie header a page would carry after loading. */
  browserCookie(): Promise<string>;
  /** Signs a local user in to the gateway; the cookie header a page would carry afterwards. */
  signIn(name: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

/** The secret every test replica shares, so replicas of one test's database can join one cluster. */
export const TEST_CLUSTER_SECRET = 'vigil-test-cluster-secret-0123456789abcdef';

/**
 * With a database the gateway is a cluster replica, which needs the cluster's secret: given a
 * file with the tests' one unless the test chose its own.
 */
async function withClusterSecret(config: Record<string, unknown>, dataDir: string) {
  const cluster = config.cluster as Record<string, unknown> | undefined;
  if (cluster?.databaseUrl === undefined || cluster.secretFile !== undefined) return config;
  const secretFile = join(dataDir, 'cluster-secret');
  await writeFile(secretFile, TEST_CLUSTER_SECRET, { mode: 0o600 });
  return { ...config, cluster: { ...cluster, secretFile } };
}

/**
 * A real gateway on a free loopback port in front of a real OpenSSH sshd. `configFor` receives
 * the fixture so a test can describe targets with its port and host keys. Replicas of one test
 * share an sshd by passing `{ sshd }` (then stop() leaves it running).
 */
export async function startGateway(
  configFor: (sshd: SshdFixture) => Record<string, unknown> | Promise<Record<string, unknown>>,
  sshdOptions?: Parameters<typeof startSshd>[0] | { sshd: SshdFixture },
  /** The gateway's environment (S3 credentials); the test's own by default. */
  env?: NodeJS.ProcessEnv,
): Promise<GatewayUnderTest> {
  const shared = sshdOptions !== undefined && 'sshd' in sshdOptions ? sshdOptions.sshd : undefined;
  const sshd = shared ?? (await startSshd(sshdOptions as Parameters<typeof startSshd>[0]));
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-data-'));
  const config = configSchema.parse({
    listen: { port: 0 },
    dataDir,
    ...(await withClusterSecret(await configFor(sshd), dataDir)),
  });
  const { app, audit, registry, joinCluster } = await buildApp(config, {
    logger: false,
    ...(env ? { env } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: config.listen.port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('gateway did not listen on TCP');
  await joinCluster({ host: '127.0.0.1', port: address.port });
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const wsUrl = `ws://127.0.0.1:${address.port}/ws`;
  const clients: ProtocolClient[] = [];
  return {
    sshd,
    config,
    audit,
    registry,
    baseUrl,
    wsUrl,
    async connect(headers, keepBytes, autoPong) {
      const client = await ProtocolClient.connect(wsUrl, headers, keepBytes, autoPong);
      clients.push(client);
      return client;
    },
    async shutdown() {
      await app.close();
    },
    async signIn(name, password) {
      const response = await fetch(`${baseUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      if (response.status !== 200) throw new Error(`signing in as ${name}: HTTP ${response.status}`);
      return response.headers
        .getSetCookie()
        .map((cookie) => cookie.split(';')[0])
        .join('; ');
    },
    browserCookie: () => browserCookieOf(baseUrl),
    async stop() {
      for (const client of clients) client.close();
      await app.close();
      if (!shared) await sshd.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser identity from the gateway at `baseUrl`: the cookie header a page would carry. */
export async function browserCookieOf(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/targets`);
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('the gateway set no identity cookie');
  return cookie;
}

/** A target for the fixture whose host keys are pinned, the strictest and most common setup. */
export function pinnedTarget(sshd: SshdFixture, overrides: Record<string, unknown> = {}) {
  return {
    name: 'fixture',
    host: sshd.host,
    port: sshd.port,
    hostKeys: { pins: sshd.hostKeys.map((k) => k.publicKey) },
    ...overrides,
  };
}
