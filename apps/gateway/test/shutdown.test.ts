import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteAuditLog } from '../src/storage/local/sqlite-audit-log.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({ targets: [pinnedTarget(sshd)] }));
});
afterAll(() => gateway?.stop());

describe('graceful shutdown', () => {
  it('tells attached browsers, closes SSH sessions cleanly and flushes audit and recordings', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
    });
    const { sessionId } = await client.message('opened');
    client.type('echo before-shutdown\r');
    await client.outputMatching(/^before-shutdown\r?$/m);
    const readyBefore = await (await fetch(`${gateway.baseUrl}/readyz`)).json();
    expect(readyBefore).toEqual({ status: 'ready' });

    const startedAt = performance.now();
    await gateway.shutdown();
    const tookMs = performance.now() - startedAt;
    expect(tookMs).toBeLessThan(5000);

    expect(await client.message('error')).toMatchObject({ code: 'GATEWAY_SHUTTING_DOWN', fatal: true });
    await client.closed();
    // The audit database was closed with the gateway; what it holds is on disk.
    const audit = new SqliteAuditLog(join(gateway.config.dataDir, 'audit.db'));
    const [end] = (await audit.query({ sessionId, kind: 'session-end' })).map((row) => row.event);
    await audit.close();
    expect(end).toMatchObject({ end: { reason: 'closed', detail: 'the gateway is shutting down' } });
    const recording = await readFile(join(gateway.config.dataDir, 'recordings', `${sessionId}.cast`), 'utf8');
    expect(recording).toContain('before-shutdown');
    expect((await gateway.sshd.connectionPids()).length).toBe(0);
  });
});
