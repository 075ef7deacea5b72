import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import { ProtocolClient } from './support/protocol-client.js';

/** Short, so the test waits seconds, not the production default's ten. */
const LEASE_SECONDS = 3;

let db: PostgresFixture;
let sshd: SshdFixture;
let b: GatewayUnderTest;
const processes: GatewayProcess[] = [];

function clusterConfig() {
  return {
    cluster: { databaseUrl: db.url, leaseSeconds: LEASE_SECONDS },
    targets: [pinnedTarget(sshd)],
  };
}

beforeAll(async () => {
  [db, sshd] = await Promise.all([startPostgres(), startSshd()]);
  b = await startGateway(clusterConfig, { sshd });
}, 90_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await b?.stop();
  await Promise.all([sshd?.stop(), db?.stop()]);
});

async function replicaA() {
  const a = await startGatewayProcess(clusterConfig());
  processes.push(a);
  return a;
}

/** A session opened on A by a browser identity that B knows too (no sign-in: the identity cookie). */
async function sessionOn(a: GatewayProcess) {
  const cookie = (await fetch(`${a.baseUrl}/api/targets`)).headers.get('set-cookie')?.split(';')[0] ?? '';
  const client = await ProtocolClient.connect(a.wsUrl, { cookie });
  client.open({
    target: 'fixture',
    username: sshd.user,
    auth: { method: 'password', password: sshd.password },
  });
  const { sessionId } = await client.message('opened');
  client.type('echo alive-$((2+3))\r');
  await client.outputMatching(/^alive-5\r?$/m);
  return { client, sessionId, cookie };
}

async function replicaIds(): Promise<string[]> {
  const direct = new pg.Client({ connectionString: db.url });
  await direct.connect();
  try {
    return (await direct.query<{ id: string }>('SELECT id FROM replicas ORDER BY joined_at')).rows.map(
      (r) => r.id,
    );
  } finally {
    await direct.end();
  }
}

describe('losing a replica', { timeout: 60_000 }, () => {
  it('kill -9 of the owner: a page relayed through B is told the replica was lost, and the end is audited once', async () => {
    const a = await replicaA();
    const { client, sessionId, cookie } = await sessionOn(a);
    client.close();
    const relayed = await ProtocolClient.connect(b.wsUrl, { cookie });
    relayed.attach(sessionId, null);
    await relayed.message('attached');

    const killedAt = performance.now();
    a.child.kill('SIGKILL');
    // The hop broke: the page is told to try again, as after any drop.
    expect(await relayed.closed()).toBe(1013);
    let verdict: { code: string } | undefined;
    await eventually(
      'a reattach to be answered REPLICA_LOST',
      async () => {
        const page = await ProtocolClient.connect(b.wsUrl, { cookie });
        page.attach(sessionId, null);
        const closed = await page.closed(10_000);
        const error = page.messages.find((m) => m.type === 'error');
        if (closed === 1013) return false;
        verdict = error?.type === 'error' ? error : undefined;
        return true;
      },
      (LEASE_SECONDS + 5) * 1000,
    );
    const detectedMs = performance.now() - killedAt;
    expect(verdict).toMatchObject({ code: 'REPLICA_LOST', fatal: true });
    // The sweep marks the directory first and queues the audit event after: it lands a moment later.
    const ends = async () => b.audit.query({ sessionId, kind: 'session-end' });
    await eventually('the lost session audited', async () => (await ends()).length > 0);
    expect(await ends()).toHaveLength(1);
    expect((await ends())[0]?.event).toMatchObject({ end: { reason: 'replica-lost' } });
    // Said, not asserted: how long after the kill the others knew (the lease plus a sweep at most).
    console.info(
      `replica loss detected ${Math.round(detectedMs)} ms after kill -9 (lease ${LEASE_SECONDS} s)`,
    );
  });

  it('a replica frozen past its lease comes back, closes its stale sessions and rejoins under a new id', async () => {
    const before = await replicaIds();
    const a = await replicaA();
    const [firstId] = (await replicaIds()).filter((id) => !before.includes(id));
    const { client, sessionId } = await sessionOn(a);
    a.child.kill('SIGSTOP');
    await eventually(
      "B's sweep to end the frozen replica's session",
      async () => (await b.audit.query({ sessionId, kind: 'session-end' })).length === 1,
      (LEASE_SECONDS + 5) * 1000,
    );
    a.child.kill('SIGCONT');
    expect(await client.message('error')).toMatchObject({ code: 'REPLICA_LOST', fatal: true });
    await eventually(
      'A to rejoin under a new id',
      async () => {
        const ids = await replicaIds();
        return ids.length === before.length + 1 && firstId !== undefined && !ids.includes(firstId);
      },
      10_000,
    );
    // A did not audit the end a second time.
    expect(await b.audit.query({ sessionId, kind: 'session-end' })).toHaveLength(1);
  });
});
