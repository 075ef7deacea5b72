import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { buildApp, configSchema } from '@vigil/gateway';
import { type HaproxyFixture, startHaproxy } from '@vigil/test-haproxy';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import { expect, expectTerminalLine, test } from '../support/vigil-fixtures.js';

const REATTACHED = /^reattached to fixture as /;
const NAMES = ['r1', 'r2', 'r3'];

interface Replica {
  url: string;
  sessions(): number;
  stop(): Promise<void>;
}

interface Cluster {
  sshd: SshdFixture;
  db: PostgresFixture;
  balancer: HaproxyFixture;
  replicas: Replica[];
  dir: string;
}

/** Three replicas sharing one PostgreSQL and one sshd, behind a real HAProxy, as deploy/ runs them. */
async function startCluster(): Promise<Cluster> {
  const [sshd, db] = await Promise.all([startSshd(), startPostgres()]);
  const dir = await mkdtemp(join(tmpdir(), 'vigil-e2e-cluster-'));
  const secretFile = join(dir, 'cluster-secret');
  await writeFile(secretFile, 'e2e-cluster-secret-0123456789abcdef0123456789', { mode: 0o600 });
  const target = {
    name: 'fixture',
    label: 'Test sshd',
    host: sshd.host,
    port: sshd.port,
    hostKeys: { pins: sshd.hostKeys.map((k) => k.publicKey) },
  };
  const replicas: Replica[] = [];
  for (const name of NAMES) {
    const config = configSchema.parse({
      listen: { port: 0 },
      dataDir: join(dir, name),
      cluster: { databaseUrl: db.url, secretFile },
      targets: [target],
    });
    const { app, registry, joinCluster } = await buildApp(config, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    await joinCluster({ host: '127.0.0.1', port });
    replicas.push({
      url: `http://127.0.0.1:${port}`,
      sessions: () => registry.size,
      stop: () => app.close(),
    });
  }
  const balancer = await startHaproxy({
    backends: replicas.map((replica, i) => ({ name: NAMES[i] ?? '', url: replica.url })),
    checkIntervalMs: 200,
  });
  await Promise.all(NAMES.map((name) => balancer.untilServerStatus(name, 'UP')));
  return { sshd, db, balancer, replicas, dir };
}

async function stopCluster(cluster: Cluster) {
  await cluster.balancer.stop();
  await Promise.all(cluster.replicas.map((replica) => replica.stop()));
  await Promise.all([cluster.sshd.stop(), cluster.db.stop()]);
  await rm(cluster.dir, { recursive: true, force: true });
}

async function run(page: Page, command: string) {
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

test('a reload that the balancer sends to another replica reattaches, with the hop on the badge', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const cluster = await startCluster();
  try {
    const { sshd, balancer, replicas } = cluster;
    await page.goto(`${balancer.url}/`);
    await page.locator('[data-target="fixture"]').click();
    await page.locator('#username').fill(sshd.user);
    await page.locator('#auth-method').selectOption('password');
    await page.locator('#password').fill(sshd.password);
    await page.locator('#connect').click();
    await expect(page.locator('#status')).toContainText('connected');
    await page.locator('#terminal').click();
    await run(page, 'echo before-$((1000-1))');
    await expectTerminalLine(page, 'before-999');

    // The replica that holds the session takes no new connections: the reload lands elsewhere.
    const owner = replicas.findIndex((replica) => replica.sessions() === 1);
    expect(owner).toBeGreaterThanOrEqual(0);
    await balancer.setServerState(NAMES[owner] ?? '', 'drain');
    await page.reload();
    await expect(page.locator('#status')).toHaveText(REATTACHED);
    await expectTerminalLine(page, 'before-999');
    await page.locator('#terminal').click();
    await run(page, 'echo after-$((1000+1))');
    await expectTerminalLine(page, 'after-1001');
    // Still one session, on its owner: the page reached it over the internal hop.
    expect(replicas.map((replica) => replica.sessions())).toEqual(NAMES.map((_, i) => (i === owner ? 1 : 0)));

    await page.locator('#health-toggle').click();
    const details = page.locator('#health-details');
    await expect(details).toBeVisible();
    await expect(page.locator('#health-table')).toHaveAttribute('data-hop', '');
    await expect(details.locator('[data-health="hop-state"]')).toHaveText('live');
    await expect(details.locator('[data-health="hop-last-rtt"]')).toHaveText(/^[\d.]+ ms$/, {
      timeout: 30_000,
    });
    await expect(details.locator('[data-health="ssh-state"]')).toHaveText('live');
  } finally {
    await stopCluster(cluster);
  }
});
