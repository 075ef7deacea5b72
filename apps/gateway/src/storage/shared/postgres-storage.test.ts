import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../../test/support/tcp-proxy.js';
import { exportAudit } from '../../audit/export-audit.js';
import { auditLogContract, END, START } from '../audit-log.contract.js';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { firstUseKeysContract, someKey } from '../first-use-keys.contract.js';
import { MIGRATIONS } from '../migrations.js';
import { type AuditOutageListener, PostgresAuditLog } from './postgres-audit-log.js';
import { PostgresClusterState } from './postgres-cluster-state.js';
import { PostgresHostKeys } from './postgres-host-keys.js';
import { migratePostgres } from './postgres-schema.js';
import { PostgresSignInThrottle } from './postgres-sign-in-throttle.js';
import { OUTAGE_GRACE_MS, PostgresSignIns } from './postgres-sign-ins.js';

let db: PostgresFixture;
const pools: pg.Pool[] = [];

function pool(): pg.Pool {
  const made = new pg.Pool({ connectionString: db.url, max: 2, connectionTimeoutMillis: 2_000 });
  made.on('error', () => {});
  pools.push(made);
  return made;
}

async function open(listener?: AuditOutageListener, limit?: number) {
  const shared = pool();
  await migratePostgres(shared);
  return new PostgresAuditLog(shared, listener, Date.now, limit);
}

/** What an AuditOutageListener heard, in words. */
function hearing(heard: string[]): AuditOutageListener {
  return {
    unavailable: (_error, pending) => heard.push(`unavailable with ${pending} pending`),
    overflowing: (limit) => heard.push(`full at ${limit}`),
    recovered: (written, dropped) => heard.push(`recovered, ${written} written, ${dropped} dropped`),
  };
}

const sessionIds = (rows: { event: { kind: string } }[]) =>
  rows.map((row) => ('sessionId' in row.event ? row.event.sessionId : ''));

beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  await db?.stop();
});
beforeEach(async () => {
  const admin = pool();
  await admin.query(
    'DROP TABLE IF EXISTS audit, first_use_host_keys, sign_in_failures, sign_in_sessions, replicas, live_sessions, cluster_secret, vigil_schema',
  );
});

describe('PostgresAuditLog, against a real PostgreSQL', { timeout: 30_000 }, () => {
  auditLogContract(
    () => open(),
    (log) => (log as PostgresAuditLog).flushed(),
  );

  it('migrates once when replicas start together, and refuses a schema newer than this code', async () => {
    await Promise.all([migratePostgres(pool()), migratePostgres(pool()), migratePostgres(pool())]);
    const { rows } = await pool().query('SELECT version FROM vigil_schema ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((step) => step.version));
    await pool().query('INSERT INTO vigil_schema (version, description) VALUES (99, $1)', [
      'from the future',
    ]);
    await expect(migratePostgres(pool())).rejects.toThrow(/schema 99, newer than this Vigil/);
  });

  it('keeps every event while PostgreSQL is stopped and writes them in order when it is back', async () => {
    const heard: string[] = [];
    const log = await open(hearing(heard));
    log.record(START);
    await log.flushed();
    await db.stopServer();
    for (let i = 0; i < 5; i++) log.record({ ...END, sessionId: `during-${i}` });
    // Recording never throws or waits, whatever the database does.
    expect(log.pending).toBe(5);
    await expect(log.query({})).rejects.toThrow();
    await db.startServer();
    await log.flushed();
    expect(log.pending).toBe(0);
    expect(sessionIds(await log.query({}))).toEqual([
      's1',
      'during-0',
      'during-1',
      'during-2',
      'during-3',
      'during-4',
    ]);
    expect(heard).toEqual(['unavailable with 5 pending', 'recovered, 5 written, 0 dropped']);
    await log.close();
  });

  it('keeps at most its bound while PostgreSQL is stopped, says so at once, and counts what it dropped', async () => {
    const heard: string[] = [];
    const log = await open(hearing(heard), 3);
    await db.stopServer();
    for (let i = 0; i < 5; i++) log.record({ ...END, sessionId: `during-${i}` });
    expect(log.pending).toBe(3);
    expect(heard).toEqual(['full at 3']);
    await db.startServer();
    await log.flushed();
    expect(sessionIds(await log.query({}))).toEqual(['during-0', 'during-1', 'during-2']);
    expect(heard).toEqual(['full at 3', 'unavailable with 3 pending', 'recovered, 3 written, 2 dropped']);
    await log.close();
  });

  it('writes an event once when the reply to its write was lost after the commit', async () => {
    await migratePostgres(pool());
    const proxy = await TcpProxy.start(db.port);
    const viaProxy = new pg.Pool({
      connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/${db.database}`,
      max: 1,
      connectionTimeoutMillis: 2_000,
    });
    viaProxy.on('error', () => {});
    const heard: string[] = [];
    const log = new PostgresAuditLog(viaProxy, hearing(heard));
    try {
      log.record(START);
      await log.flushed();
      proxy.loseReplies();
      log.record(END);
      const direct = pool();
      const ends = async () =>
        (await direct.query("SELECT count(*)::int AS n FROM audit WHERE kind = 'session-end'")).rows[0].n;
      for (let i = 0; i < 200 && (await ends()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
      // Committed, and the gateway never heard so: it must write the batch again.
      expect(await ends()).toBe(1);
      proxy.cut();
      await log.flushed();
      expect(heard).toEqual(['unavailable with 1 pending', 'recovered, 1 written, 0 dropped']);
      expect(await ends()).toBe(1);
      expect((await log.query({})).map((row) => row.event.kind)).toEqual(['session-start', 'session-end']);
    } finally {
      await log.close();
      await proxy.close();
    }
  });

  it('exports the trail as JSON lines, as `vigil audit export` does', async () => {
    const log = await open();
    log.record(START);
    log.record(END);
    await log.flushed();
    const lines: string[] = [];
    expect(await exportAudit(log, (line) => lines.push(line))).toBe(2);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ ...START, id: 1 }),
      expect.objectContaining({ ...END, id: 2 }),
    ]);
    await log.close();
  });
});

describe('PostgresHostKeys, against a real PostgreSQL', { timeout: 30_000 }, () => {
  const openKeys = async () => {
    const shared = pool();
    await migratePostgres(shared);
    return new PostgresHostKeys(shared);
  };
  firstUseKeysContract(openKeys);

  it('lets exactly one of two replicas racing on a first-use key win, and tells the other', async () => {
    const [a, b] = [await openKeys(), await openKeys()];
    const [offeredA, offeredB] = [someKey(), someKey()];
    const [keptA, keptB] = await Promise.all([
      a.remember('db', 22, offeredA),
      b.remember('db', 22, offeredB),
    ]);
    expect(keptA.equals(keptB)).toBe(true);
    expect([offeredA, offeredB].filter((offered) => offered.key.equals(keptA))).toHaveLength(1);
    const { rows } = await pool().query('SELECT count(*)::int AS n FROM first_use_host_keys');
    expect(rows[0].n).toBe(1);
  });
});

describe('PostgresSignInThrottle, against a real PostgreSQL', { timeout: 30_000 }, () => {
  it('counts failed sign-ins at one account on every replica together', async () => {
    const shared = pool();
    await migratePostgres(shared);
    const rule = { maxFailures: 5, windowMs: 60_000 };
    const [a, b] = [new PostgresSignInThrottle(pool(), rule), new PostgresSignInThrottle(pool(), rule)];
    for (let i = 0; i < 3; i++) await a.failed('alice');
    await b.failed('alice');
    expect(await b.isBlocked('alice')).toBe(false);
    await b.failed('alice');
    expect([await a.isBlocked('alice'), await b.isBlocked('alice')]).toEqual([true, true]);
    expect(await a.isBlocked('bob')).toBe(false);
    await a.succeeded('alice');
    expect(await b.isBlocked('alice')).toBe(false);
  });

  it('forgets failures older than the window, by the database clock', async () => {
    const shared = pool();
    await migratePostgres(shared);
    const throttle = new PostgresSignInThrottle(pool(), { maxFailures: 2, windowMs: 60_000 });
    await shared.query(
      "INSERT INTO sign_in_failures (name, at) VALUES ('carol', now() - interval '2 minutes')",
    );
    await throttle.failed('carol');
    expect(await throttle.isBlocked('carol')).toBe(false);
    const { rows } = await shared.query(
      "SELECT count(*)::int AS n FROM sign_in_failures WHERE name = 'carol'",
    );
    // The old one went when the new one came.
    expect(rows[0].n).toBe(1);
  });
});

describe('PostgresSignIns, against a real PostgreSQL', { timeout: 30_000 }, () => {
  const alice = { name: 'alice', groups: ['ops'], admin: false };
  const replicas: PostgresSignIns[] = [];
  const replica = async (lifetimeMs = 60_000, now: () => number = Date.now) => {
    const signIns = new PostgresSignIns(pool(), db.url, lifetimeMs, undefined, now);
    await signIns.listen();
    replicas.push(signIns);
    return signIns;
  };
  afterAll(async () => {
    await Promise.all(replicas.map((signIns) => signIns.close()));
  });
  const until = async (what: string, done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    if (!done()) throw new Error(`timed out waiting for ${what}`);
  };

  it('is good on every replica, and a sign-out on any replica ends it everywhere at once', async () => {
    await migratePostgres(pool());
    const [a, b] = [await replica(), await replica()];
    const token = await a.create(alice);
    expect(await b.find(token)).toEqual(alice);
    expect(await a.find(token)).toEqual(alice);
    expect(await a.find(`${token}x`)).toBeUndefined();
    let endedOnA = 0;
    a.watch(token, () => endedOnA++);
    await b.end(token);
    await until('the sign-out to reach replica A', () => endedOnA === 1);
    expect(await a.find(token)).toBeUndefined();
    // Only a hash of the token is stored.
    const { rows } = await pool().query('SELECT count(*)::int AS n FROM sign_in_sessions WHERE key = $1', [
      token,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('ends at its lifetime by the database clock, and a watcher hears it', async () => {
    await migratePostgres(pool());
    const a = await replica(300);
    const token = await a.create(alice);
    expect(await a.find(token)).toEqual(alice);
    let ended = 0;
    a.watch(token, () => ended++);
    await until('the lifetime to run out', () => ended === 1);
    expect(await a.find(token)).toBeUndefined();
  });

  it('honours a sign-in it verified recently while the database is away, and nothing else', async () => {
    await migratePostgres(pool());
    let now = 1_000_000;
    const a = await replica(60 * 60_000, () => now);
    const [token, other] = [await a.create(alice), await a.create(alice)];
    expect(await a.find(token)).toEqual(alice);
    await db.stopServer();
    try {
      now += OUTAGE_GRACE_MS;
      expect(await a.find(token)).toEqual(alice);
      // Never verified here: the database alone could say.
      await expect(a.find(other)).rejects.toBeInstanceOf(DatabaseUnavailableError);
      now += 1;
      await expect(a.find(token)).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(a.create(alice)).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(a.end(token)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await db.startServer();
    }
    expect(await a.find(token)).toEqual(alice);
  });

  it('hears sign-outs again after the database restarts', async () => {
    await migratePostgres(pool());
    const [a, b] = [await replica(), await replica()];
    const token = await a.create(alice);
    expect(await a.find(token)).toEqual(alice);
    let endedOnA = 0;
    a.watch(token, () => endedOnA++);
    await db.restart();
    // B's pool reconnects on its next query; A's listener comes back on its own.
    for (let i = 0; i < 40; i++) {
      try {
        await b.end(token);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await until('the sign-out to reach replica A after the restart', () => endedOnA === 1);
  });
});

describe('PostgresClusterState, against a real PostgreSQL', { timeout: 30_000 }, () => {
  const entry = (sessionId: string, replicaId: string) => ({
    sessionId,
    replicaId,
    owner: 'user:alice',
    target: 'fixture',
    sshUser: 'alice',
    source: '127.0.0.1',
    startedAt: 1_700_000_000_000,
  });

  it("ends an expired replica's sessions exactly once when replicas sweep at the same moment", async () => {
    await migratePostgres(pool());
    const states = [new PostgresClusterState(pool()), new PostgresClusterState(pool())];
    const [a, b] = states as [PostgresClusterState, PostgresClusterState];
    await a.join({ id: 'r-live', url: 'http://127.0.0.1:1' }, 60);
    // A lease of a few milliseconds: expired by the time anyone sweeps.
    await a.join({ id: 'r-dead', url: 'http://127.0.0.1:2' }, 0.001);
    for (const id of ['s1', 's2', 's3']) await a.addSession(entry(id, 'r-dead'));
    await a.addSession(entry('s4', 'r-live'));
    expect(
      await a.renew('r-dead', 0.001, [{ sessionId: 's1', bytesToTarget: 5, bytesFromTarget: 700 }]),
    ).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const swept = (await Promise.all([a.sweep(), b.sweep(), a.sweep()])).flat();
    expect(swept.map((s) => s.sessionId).sort()).toEqual(['s1', 's2', 's3']);
    expect(swept.find((s) => s.sessionId === 's1')).toMatchObject({ bytesToTarget: 5, bytesFromTarget: 700 });
    expect(await a.findSession('s1')).toEqual({
      state: 'replica-lost',
      owner: 'user:alice',
      replicaId: 'r-dead',
    });
    expect(await a.findSession('s4')).toMatchObject({ state: 'live', url: 'http://127.0.0.1:1' });
    expect(await a.countOwned('user:alice')).toBe(1);
    // The swept replica learns it was lost at its next renewal.
    expect(await a.renew('r-dead', 10, [])).toBe(false);
    expect((await a.replicas()).map((r) => r.id)).toEqual(['r-live']);
  });

  it('keeps the first secret verifier and tells a differing one apart', async () => {
    await migratePostgres(pool());
    const [a, b] = [new PostgresClusterState(pool()), new PostgresClusterState(pool())];
    const first = Buffer.alloc(32, 1);
    const results = await Promise.all([a.checkSecret(first), b.checkSecret(first)]);
    expect(results).toEqual([true, true]);
    expect(await b.checkSecret(Buffer.alloc(32, 2))).toBe(false);
  });

  it('removes a leaving replica and its sessions', async () => {
    await migratePostgres(pool());
    const state = new PostgresClusterState(pool());
    await state.join({ id: 'r-a', url: 'http://127.0.0.1:1' }, 60);
    await state.addSession(entry('s1', 'r-a'));
    await state.leave('r-a');
    expect(await state.findSession('s1')).toBeUndefined();
    expect(await state.replicas()).toEqual([]);
  });
});
