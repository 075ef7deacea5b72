import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({
    targets: [pinnedTarget(sshd)],
    limits: { maxSessionsPerUser: 2, idleTimeout: 1 },
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
    const idle = await open(cookie);
    const busy = await open(cookie);
    await idle.message('opened');
    await busy.message('opened');
    busy.type('for i in 1 2 3 4 5 6 7 8 9 10; do echo tick; sleep 0.25; done\r');
    const openedAt = performance.now();
    expect(await idle.message('error', 5000)).toMatchObject({ code: 'IDLE_TIMEOUT', fatal: true });
    expect(performance.now() - openedAt).toBeGreaterThanOrEqual(700);
    await busy.outputMatching(/(tick\r\n[\s\S]*){10}/, 8000);
    expect(busy.messages.some((m) => m.type === 'error')).toBe(false);
  });
});
