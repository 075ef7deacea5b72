import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({ targets: [pinnedTarget(sshd)] }));
});
afterAll(() => gateway?.stop());

describe('operations endpoints', () => {
  it('reports liveness and readiness', async () => {
    expect(await (await fetch(`${gateway.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${gateway.baseUrl}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('exports heartbeat RTTs, misses, timeouts and active sessions to Prometheus', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
    });
    await client.message('opened');
    await client.until('a browser round trip', () => client.messages.some((m) => m.type === 'health'));
    const text = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^vigil_sessions_active [1-9]\d*$/m);
    expect(text).toContain('# TYPE vigil_heartbeat_rtt_seconds histogram');
    expect(text).toContain('# TYPE vigil_heartbeats_missed_total counter');
    expect(text).toContain('# TYPE vigil_keepalive_timeouts_total counter');
  });
});

describe('security headers', () => {
  it('serves the page with a strict Content-Security-Policy and no framing', async () => {
    const response = await fetch(`${gateway.baseUrl}/api/targets`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    // No JavaScript eval or inline scripts; only WebAssembly compilation (the recording player).
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });
});
