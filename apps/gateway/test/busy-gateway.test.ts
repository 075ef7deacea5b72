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

function busyFor(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The whole process (gateway included) is stuck, as on an overloaded machine.
  }
}

describe('a gateway busy for longer than the interval', () => {
  it('does not count a reply that already arrived as a miss', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
    });
    await client.message('opened');
    // A health push caused by a keepalive reply says the reply is fresh.
    const replies = () =>
      client.messages.filter(
        (m) => m.type === 'health' && m.ssh.lastReplyAgoMs !== undefined && m.ssh.lastReplyAgoMs < 5,
      ).length;
    // Wait for a reply; the next keepalive goes out one interval later.
    await client.until('a keepalive reply', () => replies() >= 1);
    const replyAt = client.arrivals.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, replyAt + 1100 - performance.now())));
    // The next keepalive has just been sent and its reply lands in the kernel while we are busy
    // past the following due check (interval 1 s, CountMax 1: a real miss would be a timeout).
    busyFor(1400);
    await client.until('the next reply', () => replies() >= 2, 5000);
    expect(client.messages.filter((m) => m.type === 'error')).toEqual([]);
    client.type('echo still-connected\r');
    await client.outputMatching(/^still-connected\r?$/m);
  });
});
