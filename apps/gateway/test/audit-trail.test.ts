import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({
    targets: [
      pinnedTarget(sshd, { ssh: { ServerAliveInterval: 1, ServerAliveCountMax: 3 } }),
      pinnedTarget(sshd, { name: 'tofu', hostKeys: { trustOnFirstUse: true } }),
    ],
  }));
});
afterAll(() => gateway?.stop());

async function signedIn(target = 'fixture', password = gateway.sshd.password) {
  const cookie = await gateway.browserCookie();
  const client = await gateway.connect({ cookie });
  client.open({ target, username: gateway.sshd.user, auth: { method: 'password', password } });
  return { client, owner: `browser:${cookie.split('=')[1]!}` };
}

const endOf = async (sessionId: string) =>
  (await gateway.audit.query({ sessionId, kind: 'session-end' }))[0]?.event;

describe('the audit trail after real sessions', () => {
  it('records start and end with user, source, target, duration, bytes each way and exit status', async () => {
    const { client, owner } = await signedIn();
    const { sessionId } = await client.message('opened');
    client.type('printf 0123456789; exit 3\r');
    await client.message('exit');
    await eventually('the end record', async () => (await endOf(sessionId)) !== undefined);
    const rows = await gateway.audit.query({ sessionId });
    expect(rows.map((r) => r.event.kind)).toEqual(['session-start', 'session-end']);
    const context = { sessionId, owner, source: '127.0.0.1', target: 'fixture', sshUser: gateway.sshd.user };
    expect(rows[0]!.event).toEqual({ kind: 'session-start', ...context, auth: 'password' });
    const end = rows[1]!.event;
    expect(end).toMatchObject({
      kind: 'session-end',
      ...context,
      end: { reason: 'exit', code: 3, signal: null },
    });
    if (end.kind !== 'session-end') throw new Error('unreachable');
    expect(end.bytesToTarget).toBe('printf 0123456789; exit 3\r'.length);
    expect(end.bytesFromTarget).toBe(client.position);
    expect(end.durationMs).toBeGreaterThan(0);
  });

  it('records a keepalive timeout with its missed count', async () => {
    const { client } = await signedIn();
    const { sessionId } = await client.message('opened');
    await client.until('a keepalive reply', () =>
      client.messages.some((m) => m.type === 'health' && m.ssh.lastRttMs !== undefined),
    );
    const pids = await gateway.sshd.connectionPids();
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      expect(await client.message('error', 10_000)).toMatchObject({ code: 'KEEPALIVE_TIMEOUT' });
      await eventually('the end record', async () => (await endOf(sessionId)) !== undefined);
      expect(await endOf(sessionId)).toMatchObject({
        end: { reason: 'keepalive-timeout', missed: 3, countMax: 3 },
      });
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
  });

  it('records a hang-up, a refused sign-in and a host key accepted on first use', async () => {
    const hangUp = await signedIn();
    const { sessionId } = await hangUp.client.message('opened');
    hangUp.client.send({ type: 'close' });
    await eventually('the end record', async () => (await endOf(sessionId)) !== undefined);
    expect(await endOf(sessionId)).toMatchObject({ end: { reason: 'closed', detail: 'the person hung up' } });

    const refused = await signedIn('fixture', 'wrong');
    await refused.client.message('error', 15_000);
    expect(
      (await gateway.audit.query({ kind: 'session-refused', owner: refused.owner })).map((r) => r.event),
    ).toEqual([
      {
        kind: 'session-refused',
        owner: refused.owner,
        source: '127.0.0.1',
        target: 'fixture',
        sshUser: gateway.sshd.user,
        code: 'AUTH_FAILED',
      },
    ]);

    const tofu = await signedIn('tofu');
    const offered = await tofu.client.message('host-key-unknown');
    tofu.client.send({ type: 'host-key-decision', accept: true });
    await tofu.client.message('opened');
    expect((await gateway.audit.query({ kind: 'host-key', owner: tofu.owner })).map((r) => r.event)).toEqual([
      {
        kind: 'host-key',
        owner: tofu.owner,
        source: '127.0.0.1',
        target: 'tofu',
        keyType: offered.keyType,
        fingerprint: offered.fingerprint,
        decision: 'accepted-on-first-use',
      },
    ]);
  });
});
