import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

// A real ed25519 key that the fixture does not have.
const OTHER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

let gateway: GatewayUnderTest;
let filesDir: string;

beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), 'vigil-known-hosts-'));
  gateway = await startGateway((sshd) => {
    return {
      targets: [
        pinnedTarget(sshd, { name: 'pinned-other', hostKeys: { pins: [OTHER_KEY] } }),
        pinnedTarget(sshd, {
          name: 'unknown',
          hostKeys: { knownHosts: join(filesDir, 'empty_known_hosts') },
        }),
        pinnedTarget(sshd, { name: 'tofu', hostKeys: { trustOnFirstUse: true } }),
        pinnedTarget(sshd, {
          name: 'known-hosts',
          hostKeys: { knownHosts: join(filesDir, 'fixture_known_hosts') },
        }),
        pinnedTarget(sshd, {
          name: 'by-fingerprint',
          hostKeys: { pins: sshd.hostKeys.map((k) => k.fingerprint) },
        }),
      ],
    };
  });
  await writeFile(join(filesDir, 'empty_known_hosts'), '');
  await writeFile(join(filesDir, 'fixture_known_hosts'), gateway.sshd.knownHosts);
});
afterAll(async () => {
  await gateway?.stop();
  await rm(filesDir, { recursive: true, force: true });
});

const signIn = () => ({
  username: gateway.sshd.user,
  auth: { method: 'password' as const, password: gateway.sshd.password },
});
const fingerprints = () => gateway.sshd.hostKeys.map((k) => k.fingerprint);

describe('host key verification', () => {
  it('refuses a key that differs from the pin and shows the offered fingerprint', async () => {
    const client = await gateway.connect();
    client.open({ target: 'pinned-other', ...signIn() });
    const error = await client.message('error');
    expect(error).toMatchObject({ code: 'HOST_KEY_MISMATCH', fatal: true });
    expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    // The pin is ed25519, so the ed25519 key is asked for and its fingerprint shown.
    const ed25519 = gateway.sshd.hostKeys.find((k) => k.type === 'ssh-ed25519')!;
    expect(error.message).toContain(
      `ED25519 key sent by the remote host [127.0.0.1]:${gateway.sshd.port} is ${ed25519.fingerprint}`,
    );
  });

  it('refuses an unknown key when the target does not trust on first use', async () => {
    const client = await gateway.connect();
    client.open({ target: 'unknown', ...signIn() });
    const error = await client.message('error');
    expect(error.code).toBe('HOST_KEY_UNKNOWN');
    expect(fingerprints().some((f) => error.message.includes(f))).toBe(true);
  });

  it('accepts keys from a known_hosts file and from fingerprint pins', async () => {
    for (const target of ['known-hosts', 'by-fingerprint']) {
      const client = await gateway.connect();
      client.open({ target, ...signIn() });
      expect(await client.message('opened')).toMatchObject({ target });
    }
  });

  it('asks the person on first use, remembers an accepted key and never asks again', async () => {
    const rejecting = await gateway.connect();
    rejecting.open({ target: 'tofu', ...signIn() });
    const offered = await rejecting.message('host-key-unknown');
    expect(fingerprints()).toContain(offered.fingerprint);
    rejecting.send({ type: 'host-key-decision', accept: false });
    expect(await rejecting.message('error')).toMatchObject({ code: 'HOST_KEY_REJECTED', fatal: true });

    const accepting = await gateway.connect();
    accepting.open({ target: 'tofu', ...signIn() });
    expect((await accepting.message('host-key-unknown')).fingerprint).toBe(offered.fingerprint);
    accepting.send({ type: 'host-key-decision', accept: true });
    await accepting.message('opened');
    const remembered = await readFile(join(gateway.config.dataDir, 'known_hosts'), 'utf8');
    expect(remembered).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${gateway.sshd.port} ${offered.keyType} `));

    const again = await gateway.connect();
    again.open({ target: 'tofu', ...signIn() });
    await again.message('opened');
    expect(again.messages.map((m) => m.type)).not.toContain('host-key-unknown');
  });
});
