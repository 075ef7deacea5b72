import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/password-hash.js';
import { DATABASE_UNAVAILABLE_TEXT } from '../src/storage/database-unavailable.js';
import type { PostgresAuditLog } from '../src/storage/shared/postgres-audit-log.js';
import { eventually } from './support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import { TcpProxy } from './support/tcp-proxy.js';

let db: PostgresFixture;
let gateway: GatewayUnderTest;
let passwordHash: string;
const allow = { users: ['alice'], groups: [] };
/** Short, so the outage below outlasts the lease several times. */
const LEASE_SECONDS = 2;

beforeAll(async () => {
  db = await startPostgres();
  passwordHash = await hashPassword('alice-pw');
  gateway = await startGateway((sshd) => ({
    cluster: { databaseUrl: db.url, leaseSeconds: LEASE_SECONDS },
    auth: { local: { users: [{ name: 'alice', passwordHash }] } },
    targets: [
      pinnedTarget(sshd, { allow }),
      pinnedTarget(sshd, { name: 'tofu', hostKeys: { trustOnFirstUse: true }, allow }),
    ],
  }));
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await db?.stop();
});

/** The fixture's user and password, as an `open` carries them. */
function sshLogin(at: GatewayUnderTest) {
  return { username: at.sshd.user, auth: { method: 'password' as const, password: at.sshd.password } };
}

function signIn(at: GatewayUnderTest) {
  return fetch(`${at.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'alice', password: 'alice-pw' }),
  });
}

async function auditAfter(id: number) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; event: string }>(
      'SELECT id, event FROM audit WHERE id > $1 ORDER BY id',
      [id],
    );
    return rows.map((row) => ({ id: Number(row.id), event: JSON.parse(row.event) }));
  } finally {
    await client.end();
  }
}

describe('PostgreSQL restarts while a session runs', { timeout: 60_000 }, () => {
  it('keeps the shell going, refuses what needs the database in words, and writes every audit event once, in order, when it is back', async () => {
    const audit = gateway.audit as PostgresAuditLog;
    const cookie = await gateway.signIn('alice', 'alice-pw');
    const login = sshLogin(gateway);
    const client = await gateway.connect({ cookie });
    client.open({ target: 'fixture', ...login });
    const { sessionId } = await client.message('opened');
    client.type('echo before-outage\r');
    await client.outputMatching(/^before-outage\r?$/m);
    // Lives through the outage and after it.
    const survivor = await gateway.connect({ cookie });
    survivor.open({ target: 'fixture', ...login });
    const survivorId = (await survivor.message('opened')).sessionId;
    await audit.flushed();
    const lastBefore = (await auditAfter(0)).at(-1)?.id ?? 0;

    await db.stopServer();
    const stoppedAt = performance.now();

    client.type('echo during-outage\r');
    await client.outputMatching(/^during-outage\r?$/m);

    const refused = await signIn(gateway);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: DATABASE_UNAVAILABLE_TEXT });

    // A page signed in before keeps working; a cookie this replica never verified is not taken on trust.
    expect((await fetch(`${gateway.baseUrl}/api/targets`, { headers: { cookie } })).status).toBe(200);
    const stranger = await fetch(`${gateway.baseUrl}/api/targets`, {
      headers: { cookie: 'vigil_session=never-seen-here' },
    });
    expect(stranger.status).toBe(503);
    expect(await stranger.json()).toEqual({ error: DATABASE_UNAVAILABLE_TEXT });

    // A new session that needs the database (a host key learned on first use) is refused in words.
    const second = await gateway.connect({ cookie });
    second.open({ target: 'tofu', ...login });
    expect(await second.message('error')).toMatchObject({ code: 'DATABASE_UNAVAILABLE', fatal: true });
    // Any other new session too: no other replica could find it in the directory of live sessions.
    const third = await gateway.connect({ cookie });
    third.open({ target: 'fixture', ...login });
    expect(await third.message('error')).toMatchObject({ code: 'DATABASE_UNAVAILABLE', fatal: true });

    client.type('exit 7\r');
    expect(await client.message('exit')).toMatchObject({ code: 7 });
    expect(audit.pending).toBe(4);

    // Down for longer than a lease: every lease has run out when the database comes back.
    const leaseMs = LEASE_SECONDS * 1000;
    await eventually('two leases to pass', () => performance.now() - stoppedAt > 2 * leaseMs, 3 * leaseMs);
    await db.startServer();
    const backAt = performance.now();
    await audit.flushed();
    process.stdout.write(
      `[measured] audit queue of 4 written ${(performance.now() - backAt).toFixed(0)} ms after PostgreSQL was back\n`,
    );
    const during = await auditAfter(lastBefore);
    expect(during.map((row) => row.event)).toEqual([
      expect.objectContaining({
        kind: 'sign-in',
        user: 'alice',
        outcome: 'failure',
        reason: DATABASE_UNAVAILABLE_TEXT,
      }),
      expect.objectContaining({ kind: 'session-refused', target: 'tofu', code: 'DATABASE_UNAVAILABLE' }),
      expect.objectContaining({ kind: 'session-refused', target: 'fixture', code: 'DATABASE_UNAVAILABLE' }),
      expect.objectContaining({
        kind: 'session-end',
        sessionId,
        end: { reason: 'exit', code: 7, signal: null },
      }),
    ]);
    // Signing in works again at once.
    expect(await gateway.signIn('alice', 'alice-pw')).toContain('vigil_session=');
    // Once sweeps may run again (a renewal period and a retry after the database is back), the
    // replica has renewed its lease: nobody took it for lost, and its session goes on.
    const backFor = performance.now();
    await eventually('sweeps to be allowed again', () => performance.now() - backFor > leaseMs, 2 * leaseMs);
    survivor.type('echo after-outage\r');
    await survivor.outputMatching(/^after-outage\r?$/m);
    expect(survivor.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect((await auditAfter(lastBefore)).filter((row) => row.event.sessionId === survivorId)).toEqual([]);
  });
});

describe('PostgreSQL stops answering (a black-holed path)', { timeout: 90_000 }, () => {
  it('keeps the shell going, answers a sign-in with the 503 once the query times out, and writes the trail once when the path is back', async () => {
    const proxy = await TcpProxy.start(db.port);
    const held = await startGateway((sshd) => ({
      cluster: { databaseUrl: `postgres://postgres@127.0.0.1:${proxy.port}/${db.database}` },
      auth: { local: { users: [{ name: 'alice', passwordHash }] } },
      targets: [pinnedTarget(sshd, { allow })],
    }));
    try {
      const audit = held.audit as PostgresAuditLog;
      const cookie = await held.signIn('alice', 'alice-pw');
      const client = await held.connect({ cookie });
      client.open({ target: 'fixture', ...sshLogin(held) });
      const { sessionId } = await client.message('opened');
      await audit.flushed();
      const lastBefore = (await auditAfter(0)).at(-1)?.id ?? 0;

      proxy.hold();
      client.type('echo while-held\r');
      await client.outputMatching(/^while-held\r?$/m);
      const refused = await signIn(held);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ error: DATABASE_UNAVAILABLE_TEXT });
      client.type('exit 3\r');
      expect(await client.message('exit')).toMatchObject({ code: 3 });

      proxy.pass();
      await audit.flushed();
      expect((await auditAfter(lastBefore)).map((row) => row.event)).toEqual([
        expect.objectContaining({
          kind: 'sign-in',
          user: 'alice',
          outcome: 'failure',
          reason: DATABASE_UNAVAILABLE_TEXT,
        }),
        expect.objectContaining({
          kind: 'session-end',
          sessionId,
          end: { reason: 'exit', code: 3, signal: null },
        }),
      ]);
    } finally {
      proxy.pass();
      await held.stop();
      await proxy.close();
    }
  });
});
