import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_TICK_MS } from '../src/heartbeat/check-ticks.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import type { ProtocolClient } from './support/protocol-client.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({
    targets: [pinnedTarget(sshd)],
    browserHeartbeat: { interval: 0.3, countMax: 2 },
  }));
});
afterAll(() => gateway?.stop());

async function openSession(autoPong: boolean): Promise<ProtocolClient> {
  const client = await gateway.connect({}, undefined, autoPong);
  const { user, password } = gateway.sshd;
  client.open({ target: 'fixture', username: user, auth: { method: 'password', password } });
  await client.message('opened');
  return client;
}

describe('the browser leg heartbeat', () => {
  it('measures the browser round trip with WebSocket pings and pushes it', async () => {
    const client = await openSession(true);
    const health = await client.until('a browser round trip', () =>
      client.messages.find((m) => m.type === 'health' && m.browser.lastRttMs !== undefined),
    );
    expect(health.type === 'health' && health.browser).toMatchObject({
      state: 'live',
      countMax: 2,
      intervalMs: 300,
    });
  });

  it('closes the socket of a browser that stopped answering, and only that one', async () => {
    const healthy = await openSession(true);
    const gone = await openSession(false);
    const startedAt = performance.now();
    await gone.closed(5000);
    const detectedAfterMs = performance.now() - startedAt;
    // Silence is judged from the last frame: (countMax + 1) × interval at most, plus slack.
    expect(detectedAfterMs).toBeLessThan(3 * 300 + 700);
    healthy.type('echo still-attached\r');
    await healthy.outputMatching(/^still-attached\r?$/m);
    expect(healthy.closeCode).toBeUndefined();
  });

  it('exports the browser round trips to Prometheus', async () => {
    const client = await openSession(true);
    await client.until('a browser round trip', () =>
      client.messages.some((m) => m.type === 'health' && m.browser.lastRttMs !== undefined),
    );
    const text = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^vigil_heartbeat_rtt_seconds_count\{leg="browser"\} [1-9]\d*$/m);
  });

  it('keeps pinging, and pushing health, while the page is busy sending', async () => {
    const client = await openSession(true);
    const healthBefore = () => client.messages.filter((m) => m.type === 'health').length;
    await client.until('a first health', () => healthBefore() > 0);
    const start = healthBefore();
    // A page that sends all the time (input the remote does not echo) for three whole cycles:
    // a ping is due an interval after the last pong and goes out on the next heartbeat tick.
    client.type('stty -echo\r');
    const cycleMs = 300 + CHECK_TICK_MS;
    for (let i = 0; i < (3 * cycleMs) / 50; i++) {
      client.sendRaw(JSON.stringify({ type: 'resize', cols: 80 + (i % 2), rows: 24 }), false);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(healthBefore() - start).toBeGreaterThanOrEqual(2);
  });
});
