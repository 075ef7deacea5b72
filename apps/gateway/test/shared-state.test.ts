import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOSE_CODES } from '@vigil/protocol';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { freePort } from '@vigil/test-processes';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { hashPassword } from '../src/auth/password-hash.js';
import { configSchema } from '../src/config/config-schema.js';
import { openStorage } from '../src/storage/open-storage.js';
import { eventually } from './support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let db: PostgresFixture;
const gateways: GatewayUnderTest[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await db?.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function replica() {
  const gateway = await startGateway((sshd) => ({
    cluster: { databaseUrl: db.url },
    targets: [pinnedTarget(sshd)],
  }));
  gateways.push(gateway);
  return gateway;
}

async function bareConfig(extra: Record<string, unknown> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-storage-'));
  dirs.push(dataDir);
  return configSchema.parse({ listen: { port: 0 }, dataDir, ...extra });
}

describe('shared state in PostgreSQL', { timeout: 60_000 }, () => {
  it("writes a real session's audit trail to PostgreSQL, where another replica reads it", async () => {
    const a = await replica();
    const cookie = await a.browserCookie();
    const client = await a.connect({ cookie });
    client.open({
      target: 'fixture',
      username: a.sshd.user,
      auth: { method: 'password', password: a.sshd.password },
    });
    const { sessionId } = await client.message('opened');
    client.type('exit 3\r');
    await client.message('exit');
    const kinds = async (gateway: GatewayUnderTest) =>
      (await gateway.audit.query({ sessionId })).map((row) => row.event.kind);
    await eventually('the end record', async () => (await kinds(a)).length === 2);
    const b = await replica();
    expect(await kinds(b)).toEqual(['session-start', 'session-end']);
    const direct = new pg.Client({ connectionString: db.url });
    await direct.connect();
    try {
      const { rows } = await direct.query('SELECT kind FROM audit WHERE session_id = $1 ORDER BY id', [
        sessionId,
      ]);
      expect(rows.map((row) => row.kind)).toEqual(['session-start', 'session-end']);
    } finally {
      await direct.end();
    }
  });

  it('learns a host key on first use once, for every replica', async () => {
    const tofu = { name: 'tofu', hostKeys: { trustOnFirstUse: true } };
    const a = await startGateway((sshd) => ({
      cluster: { databaseUrl: db.url },
      targets: [pinnedTarget(sshd, tofu)],
    }));
    gateways.push(a);
    // B serves the same server as A (A's sshd), as replicas behind one balancer do.
    const b = await startGateway(() => ({
      cluster: { databaseUrl: db.url },
      targets: [pinnedTarget(a.sshd, tofu)],
    }));
    gateways.push(b);
    const login = { username: a.sshd.user, auth: { method: 'password' as const, password: a.sshd.password } };
    const first = await a.connect({ cookie: await a.browserCookie() });
    first.open({ target: 'tofu', ...login });
    await first.message('host-key-unknown');
    first.send({ type: 'host-key-decision', accept: true });
    await first.message('opened');
    const second = await b.connect({ cookie: await b.browserCookie() });
    second.open({ target: 'tofu', ...login });
    await second.message('opened');
    expect(second.messages.map((m) => m.type)).not.toContain('host-key-unknown');
  });

  it('signs a person in on one replica for all of them, and a sign-out on B closes their socket on A', async () => {
    const passwordHash = await hashPassword('alice-pw');
    const signedIn = (sshd: Parameters<typeof pinnedTarget>[0]) => ({
      cluster: { databaseUrl: db.url },
      auth: { local: { users: [{ name: 'alice', passwordHash }] } },
      targets: [pinnedTarget(sshd, { allow: { users: ['alice'], groups: [] } })],
    });
    const a = await startGateway(signedIn);
    gateways.push(a);
    const b = await startGateway(() => signedIn(a.sshd));
    gateways.push(b);
    const cookie = await a.signIn('alice', 'alice-pw');
    const me = await (await fetch(`${b.baseUrl}/api/me`, { headers: { cookie } })).json();
    expect(me).toMatchObject({ user: { name: 'alice' } });
    const client = await a.connect({ cookie });
    client.open({
      target: 'fixture',
      username: a.sshd.user,
      auth: { method: 'password', password: a.sshd.password },
    });
    await client.message('opened');
    const out = await fetch(`${b.baseUrl}/api/logout`, {
      method: 'POST',
      headers: { cookie, origin: b.baseUrl },
    });
    expect(out.status).toBe(204);
    expect(await client.closed()).toBe(CLOSE_CODES.signInEnded);
    expect((await fetch(`${a.baseUrl}/api/targets`, { headers: { cookie } })).status).toBe(401);
  });

  it('does not start a replica whose database is unreachable, and says why', async () => {
    const port = await freePort();
    const config = await bareConfig({
      cluster: { databaseUrl: `postgres://postgres@127.0.0.1:${port}/vigil` },
    });
    await expect(buildApp(config, { logger: false })).rejects.toThrow(
      /cluster\.databaseUrl: the shared database is not usable: .*ECONNREFUSED/,
    );
  });

  it('takes the database from VIGIL_DATABASE_URL, and without one keeps the embedded SQLite', async () => {
    const config = await bareConfig();
    const shared = await openStorage(config, undefined, { VIGIL_DATABASE_URL: db.url });
    expect(shared.side).toBe('shared');
    await shared.close();
    const local = await openStorage(config, undefined, {});
    expect(local.side).toBe('local');
    await local.close();
  });
});
