import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

// ssh(1) reads pending input before it judges a due check. This pins that Vigil does too: a
// gateway stuck past a due check (an overloaded machine) reads the reply that arrived meanwhile
// before it counts a miss, because Node reaches its poll phase before the late heartbeat timer.

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({
    targets: [pinnedTarget(sshd, { ssh: { ServerAliveInterval: 1, ServerAliveCountMax: 1 } })],
  }));
});
afterAll(() => gateway?.stop());

/** Bytes the kernel holds unread on this machine's established TCP connections to `port` (loopback). */
function unreadFrom(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let unread = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, , remote, state, queues] = line.trim().split(/\s+/);
    if (state === '01' && remote?.endsWith(`:${hexPort}`))
      unread += Number.parseInt(queues?.split(':')[1] ?? '0', 16);
  }
  return unread;
}

/**
 * Keeps the whole process (gateway included) stuck, as on an overloaded machine, until `until`
 * has passed and the target's reply is waiting unread in the kernel, or `giveUpAt`. Returns
 * whether the reply was there.
 */
function busyUntilReplyWaits(sshdPort: number, until: number, giveUpAt: number): boolean {
  let replyWaiting = false;
  for (;;) {
    const now = performance.now();
    replyWaiting ||= unreadFrom(sshdPort) > 0;
    if ((replyWaiting && now >= until) || now >= giveUpAt) return replyWaiting;
  }
}

describe('a gateway busy for longer than the interval', () => {
  it('does not count a reply that already arrived as a miss', { timeout: 30_000 }, async () => {
    const client = await gateway.connect();
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
    });
    const { sessionId } = await client.message('opened');
    const [owner] = gateway.registry
      .listAll()
      .filter((s) => s.sessionId === sessionId)
      .map((s) => s.owner);
    const session = gateway.registry.get(sessionId, owner ?? '');
    if (!session) throw new Error('the session is not in the registry');
    // Stuck from the moment the next keepalive went out until past its due check (sent + 1 s, on
    // a 100 ms tick, up to two ticks late) with its reply waiting in the kernel: interval 1 s,
    // CountMax 1, so counting it as a miss would be a timeout.
    const stuck = new Promise<boolean>((resolve) => {
      session.shell.heartbeat.once('probe', () => {
        const sentAt = performance.now();
        resolve(busyUntilReplyWaits(gateway.sshd.port, sentAt + 1300, sentAt + 10_000));
      });
    });
    expect(await stuck).toBe(true);
    const errorsAfter = () => client.messages.filter((m) => m.type === 'error');
    client.type('echo still-connected\r');
    await client.outputMatching(/^still-connected\r?$/m);
    expect(errorsAfter()).toEqual([]);
    expect(session.shell.heartbeat.snapshot()).toMatchObject({ state: 'live', missed: 0 });
  });
});
