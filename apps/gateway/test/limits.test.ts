import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({
    targets: [pinnedTarget(sshd)],
    limits: { maxSessionsPerUser: 2, idleTimeout: 3 },
  }));
});
afterAll(() => gateway?.stop());

async function open(cookie: string) {
  const client = await gateway.connect({ cookie });
  client.open({
    target: 'fixture',
    username: gateway.sshd.user,
    auth: { method: 'password', password: gateway.sshd.password },
  });
  return client;
}

describe('bastion limits', () => {
  it('refuses a session beyond the per-user maximum, and counts per owner', async () => {
    const owner = await gateway.browserCookie();
    await (await open(owner)).message('opened');
    await (await open(owner)).message('opened');
    const third = await open(owner);
    const error = await third.message('error');
    expect(error).toMatchObject({ code: 'TOO_MANY_SESSIONS', fatal: true });
    expect(error.message).toContain('You already have 2 sessions open');
    await (await open(await gateway.browserCookie())).message('opened');
  });

  it('closes a session idle past the policy, but not one that is busy', async () => {
    const cookie = await gateway.browserCookie();
    // Busy first: a tick every 0.25 s, twelve times within the 3 s policy, so even a loaded
    // machine that delays a tick by seconds keeps it from being idle.
    const busy = await open(cookie);
    await busy.message('opened');
    busy.type('for i in $(seq 1 60); do echo tick; sleep 0.25; done\r');
    await busy.outputMatching(/^tick\r?$/m, 10_000);
    const idle = await open(cookie);
    await idle.message('opened');
    const openedAt = performance.now();
    expect(await idle.message('error', 15_000)).toMatchObject({ code: 'IDLE_TIMEOUT', fatal: true });
    expect(performance.now() - openedAt).toBeGreaterThanOrEqual(2_700);
    const ticksThen = (busy.text().match(/tick\r\n/g) ?? []).length;
    await busy.until(
      'more ticks after the idle one closed',
      () => (busy.text().match(/tick\r\n/g) ?? []).length > ticksThen,
    );
    expect(busy.messages.some((m) => m.type === 'error')).toBe(false);
    busy.send({ type: 'close' });
  });
});
