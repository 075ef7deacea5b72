import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { pinnedTarget } from './support/gateway-under-test.js';
import type { ProtocolClient } from './support/protocol-client.js';

let db: PostgresFixture;
let sshd: SshdFixture;
const replicas: GatewayProcess[] = [];

beforeAll(async () => {
  [db, sshd] = await Promise.all([startPostgres(), startSshd()]);
}, 60_000);
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await Promise.all([db?.stop(), sshd?.stop()]);
});

/** A replica in cluster mode, as `vigil --config` runs it. */
async function replica(drainLimit: number) {
  const started = await startGatewayProcess({
    cluster: { databaseUrl: db.url },
    sessions: { drainLimit },
    targets: [pinnedTarget(sshd)],
  });
  replicas.push(started);
  return started;
}

function openShell(client: ProtocolClient) {
  client.open({
    target: 'fixture',
    username: sshd.user,
    auth: { method: 'password', password: sshd.password },
  });
}

async function auditOf(sessionId: string) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ event: string }>(
      'SELECT event FROM audit WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
    return rows.map((row) => JSON.parse(row.event));
  } finally {
    await client.end();
  }
}

const drainOver = (gateway: GatewayProcess) => gateway.log.find((line) => line.msg === 'drain over: closing');

const readiness = async (gateway: GatewayProcess) => {
  const response = await fetch(`${gateway.baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('a replica drains on SIGTERM for a rolling restart', { timeout: 60_000 }, () => {
  it('stops being ready and refuses new sessions, while the running shell and reattaches go on; exits 0 when it ends', async () => {
    const gateway = await replica(900);
    const cookie = await gateway.browserCookie();
    const first = await gateway.connect({ cookie });
    openShell(first);
    const { sessionId } = await first.message('opened');
    first.type('echo before-drain\r');
    await first.outputMatching(/^before-drain\r?$/m);

    gateway.child.kill('SIGTERM');
    await eventually('readiness to fail', async () => (await readiness(gateway)).status === 503);
    const { body } = await readiness(gateway);
    expect(body).toMatchObject({ status: 'draining', sessions: 1 });
    expect(body.closesInS).toBeGreaterThan(800);

    const refused = await gateway.connect({ cookie });
    openShell(refused);
    expect(await refused.message('error')).toMatchObject({ code: 'GATEWAY_DRAINING', fatal: true });
    await refused.closed();

    first.type('echo during-drain\r');
    await first.outputMatching(/^during-drain\r?$/m);

    // A reload: the page drops and comes back for its session.
    first.close();
    await first.closed();
    const reloaded = await gateway.connect({ cookie });
    reloaded.attach(sessionId, first.position);
    await reloaded.message('attached');
    reloaded.type('echo after-reattach\r');
    await reloaded.outputMatching(/^after-reattach\r?$/m);

    reloaded.type('exit 0\r');
    expect(await reloaded.message('exit')).toMatchObject({ code: 0 });
    expect(await gateway.exited).toBe(0);
    expect(drainOver(gateway)).toMatchObject({ why: 'last-session-ended' });
    expect((await auditOf(sessionId)).map((event) => event.kind)).toEqual(['session-start', 'session-end']);
  });

  it('closes what still runs at the drain limit, as a shutdown does, and audits its end', async () => {
    const gateway = await replica(1);
    const client = await gateway.connect({ cookie: await gateway.browserCookie() });
    openShell(client);
    const { sessionId } = await client.message('opened');
    client.type('echo running\r');
    await client.outputMatching(/^running\r?$/m);

    gateway.child.kill('SIGTERM');
    expect(await client.message('error')).toMatchObject({ code: 'GATEWAY_SHUTTING_DOWN', fatal: true });
    expect(await gateway.exited).toBe(0);
    expect(drainOver(gateway)).toMatchObject({ why: 'drain-limit' });
    const events = await auditOf(sessionId);
    expect(events.map((event) => event.kind)).toEqual(['session-start', 'session-end']);
    expect(events[1]).toMatchObject({ end: { reason: 'closed', detail: 'the gateway is shutting down' } });
  });

  it('closes at once at a second SIGTERM', async () => {
    const gateway = await replica(900);
    const client = await gateway.connect({ cookie: await gateway.browserCookie() });
    openShell(client);
    await client.message('opened');
    gateway.child.kill('SIGTERM');
    await eventually('readiness to fail', async () => (await readiness(gateway)).status === 503);
    gateway.child.kill('SIGTERM');
    expect(await client.message('error')).toMatchObject({ code: 'GATEWAY_SHUTTING_DOWN', fatal: true });
    expect(await gateway.exited).toBe(0);
    expect(drainOver(gateway)).toMatchObject({ why: 'second-signal' });
  });
});

describe('without a shared database SIGTERM closes at once, as it always did', { timeout: 60_000 }, () => {
  it('tells the browser the gateway is shutting down and exits 0', async () => {
    const gateway = await startGatewayProcess({ targets: [pinnedTarget(sshd)] });
    replicas.push(gateway);
    const client = await gateway.connect({ cookie: await gateway.browserCookie() });
    openShell(client);
    await client.message('opened');
    gateway.child.kill('SIGTERM');
    expect(await client.message('error')).toMatchObject({ code: 'GATEWAY_SHUTTING_DOWN', fatal: true });
    expect(await gateway.exited).toBe(0);
    expect(gateway.log.find((line) => line.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(drainOver(gateway)).toBeUndefined();
  });
});
