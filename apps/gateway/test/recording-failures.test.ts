import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/password-hash.js';
import { eventually } from './support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

/**
 * A real full disk: a 2 MiB tmpfs as the recordings folder (the tests run as root), filled up
 * while a session runs. Nothing is simulated inside the gateway.
 */
const mounts: string[] = [];
function smallDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-full-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}
/** Fills the folder's file system to the last byte. */
function fill(dir: string) {
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(4 * 1024 * 1024));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}

const gateways: GatewayUnderTest[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
});
afterAll(() => {
  for (const dir of mounts) {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function gatewayRecordingTo(directory: string, whenImpossible?: string) {
  const gateway = await startGateway((sshd) => ({
    recordings: { directory, ...(whenImpossible ? { whenImpossible } : {}) },
    targets: [pinnedTarget(sshd)],
  }));
  gateways.push(gateway);
  return gateway;
}

async function open(gateway: GatewayUnderTest) {
  const client = await gateway.connect({ cookie: await gateway.browserCookie() });
  const { user, password } = gateway.sshd;
  client.open({ target: 'fixture', username: user, auth: { method: 'password', password } });
  return client;
}

/** Output the recording cannot hold once the disk is full. */
const FLOOD = 'head -c 1000000 /dev/zero | tr "\\\\0" x; echo; echo flood-done\r';

describe('a recording that cannot be written is never silent', { timeout: 60_000 }, () => {
  it('logs, audits and counts it at once, lets the session go on, and refuses new sessions until the disk takes writes', async () => {
    const disk = smallDisk();
    const gateway = await gatewayRecordingTo(disk);
    const running = await open(gateway);
    const { sessionId } = await running.message('opened');
    fill(disk);
    running.type(FLOOD);
    await running.outputMatching(/flood-done/);
    // While the session still runs: the audit row, with the disk's own words.
    const failures = async () =>
      (await gateway.audit.query({ kind: 'recording-failed' })).map((r) => r.event);
    await eventually('the recording-failed audit row', async () => (await failures()).length === 1);
    expect((await failures())[0]).toMatchObject({ sessionId, reason: expect.stringMatching(/ENOSPC/) });
    expect(await gateway.audit.query({ sessionId, kind: 'session-end' })).toEqual([]);
    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_recording_failures_total 1$/m);
    running.type('echo still-here\r');
    await running.outputMatching(/still-here\r\n/);

    const refused = await open(gateway);
    expect(await refused.message('error')).toMatchObject({ code: 'RECORDING_UNAVAILABLE', fatal: true });
    const refusals = (await gateway.audit.query({ kind: 'session-refused' })).map((r) => r.event);
    expect(refusals).toMatchObject([{ code: 'RECORDING_UNAVAILABLE' }]);

    rmSync(join(disk, 'filler'));
    const later = await open(gateway);
    await later.message('opened');
  });

  it("lets administrators list recording failures in the audit API with kind 'recording-failed'", async () => {
    const disk = smallDisk();
    const passwordHash = await hashPassword('admin-pw');
    const gateway = await startGateway((sshd) => ({
      auth: { local: { users: [{ name: 'admin', passwordHash }] }, admins: { users: ['admin'] } },
      recordings: { directory: disk },
      targets: [pinnedTarget(sshd, { allow: { users: ['admin'], groups: [] } })],
    }));
    gateways.push(gateway);
    const cookie = await gateway.signIn('admin', 'admin-pw');
    const client = await gateway.connect({ cookie });
    const { user, password } = gateway.sshd;
    client.open({ target: 'fixture', username: user, auth: { method: 'password', password } });
    const { sessionId } = await client.message('opened');
    fill(disk);
    client.type(FLOOD);
    await client.outputMatching(/flood-done/);
    const listed = async () => {
      const response = await fetch(`${gateway.baseUrl}/api/audit?kind=recording-failed`, {
        headers: { cookie },
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { event: { kind: string; sessionId: string } }[]).map(
        (row) => row.event,
      );
    };
    await eventually('the failure in the audit API', async () => (await listed()).length === 1);
    expect(await listed()).toMatchObject([{ kind: 'recording-failed', sessionId }]);
  });

  it('ends running sessions too when the policy says end-sessions', async () => {
    const disk = smallDisk();
    const gateway = await gatewayRecordingTo(disk, 'end-sessions');
    const flooding = await open(gateway);
    await flooding.message('opened');
    const bystander = await open(gateway);
    await bystander.message('opened');
    fill(disk);
    flooding.type(FLOOD);
    for (const client of [flooding, bystander]) {
      expect(await client.message('error')).toMatchObject({ code: 'RECORDING_UNAVAILABLE', fatal: true });
    }
  });

  it('opens new sessions unrecorded when the policy says continue, and still says so', async () => {
    const disk = smallDisk();
    const gateway = await gatewayRecordingTo(disk, 'continue');
    const first = await open(gateway);
    await first.message('opened');
    fill(disk);
    first.type(FLOOD);
    await first.outputMatching(/flood-done/);
    await eventually(
      'the recording-failed audit row',
      async () => (await gateway.audit.query({ kind: 'recording-failed' })).length === 1,
    );
    const next = await open(gateway);
    await next.message('opened');
  });
});
