import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SshdFixture, startSshd } from './index.js';

let fixture: SshdFixture;
let rsaFixture: SshdFixture;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-sshd-test-'));
  // Side by side, as parallel test files start them: the shared user and password must not clash.
  [fixture, rsaFixture] = await Promise.all([startSshd(), startSshd({ hostKeyTypes: ['rsa', 'ed25519'] })]);
  await writeFile(join(dir, 'known_hosts'), fixture.knownHosts);
  await writeFile(join(dir, 'id_ed25519'), fixture.privateKey, { mode: 0o600 });
  await writeFile(join(dir, 'id_ed25519_encrypted'), fixture.encryptedPrivateKey, { mode: 0o600 });
  // ssh asks for passphrases and passwords through this program when told to (OpenSSH ≥ 8.4).
  await writeFile(join(dir, 'askpass'), '#!/bin/sh\nprintf "%s\\n" "$VIGIL_ASKPASS_ANSWER"\n', {
    mode: 0o700,
  });
}, 20_000);
afterAll(async () => {
  await Promise.all([fixture?.stop(), rsaFixture?.stop()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The real OpenSSH client, trusting only the fixture's known_hosts and no user or system config. */
function sshArgs(options: string[], command: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'IdentitiesOnly=yes',
    ...options,
    '-p',
    String(fixture.port),
    `${fixture.user}@127.0.0.1`,
    command,
  ];
}

function ssh(options: string[], command: string, askpassAnswer = ''): Promise<string> {
  const env = {
    ...process.env,
    SSH_ASKPASS: join(dir, 'askpass'),
    SSH_ASKPASS_REQUIRE: 'force',
    VIGIL_ASKPASS_ANSWER: askpassAnswer,
  };
  return new Promise((resolve, reject) => {
    execFile('ssh', sshArgs(options, command), { env, timeout: 5_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ssh failed: ${stderr}\n${fixture.log()}`));
      else resolve(stdout);
    });
  });
}

function sshKeygenFingerprint(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ssh-keygen', ['-lf', path], (error, stdout) =>
      error ? reject(error) : resolve(stdout.split(' ')[1]!),
    );
  });
}

function firstBytes(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('data', (data) => {
      resolve(data.toString('latin1'));
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('startSshd', () => {
  it('serves an SSH-2.0 OpenSSH banner on 127.0.0.1', async () => {
    expect(fixture.host).toBe('127.0.0.1');
    expect(await firstBytes(fixture.port)).toMatch(/^SSH-2\.0-OpenSSH_\S+/);
    expect(rsaFixture.port).not.toBe(fixture.port);
  });

  it('reports host key fingerprints exactly as ssh-keygen -lf prints them', async () => {
    const keys = [...fixture.hostKeys, ...rsaFixture.hostKeys];
    expect(keys.map((key) => key.type)).toEqual([
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    for (const [index, key] of keys.entries()) {
      const path = join(dir, `host_key_${index}.pub`);
      await writeFile(path, `${key.publicKey}\n`);
      expect(key.fingerprint).toBe(await sshKeygenFingerprint(path));
    }
  });

  it('shares one test user and password between fixtures running side by side', () => {
    expect(fixture.user).toBe('vigil-test');
    expect(rsaFixture.user).toBe(fixture.user);
    expect(rsaFixture.password).toBe(fixture.password);
  });

  it('lets OpenSSH log in with the private key, checking the host against knownHosts', async () => {
    const output = await ssh(['-o', 'BatchMode=yes', '-i', join(dir, 'id_ed25519')], 'echo $((6*7))');
    expect(output.trim()).toBe('42');
  });

  it('lets OpenSSH log in with the encrypted key and its passphrase', async () => {
    const options = ['-o', 'PreferredAuthentications=publickey', '-i', join(dir, 'id_ed25519_encrypted')];
    expect((await ssh(options, 'id -un', fixture.passphrase)).trim()).toBe('vigil-test');
  });

  it('lets OpenSSH log in with the password and through PAM keyboard-interactive', async () => {
    for (const method of ['password', 'keyboard-interactive']) {
      const output = await ssh(['-o', `PreferredAuthentications=${method}`], 'echo $SHELL', fixture.password);
      expect(output.trim()).toBe('/bin/bash');
    }
    expect(fixture.log()).toContain('Accepted password for vigil-test');
    expect(fixture.log()).toContain('Accepted keyboard-interactive/pam for vigil-test');
  });

  let session: ChildProcess;
  let sessionPids: number[] = [];

  it('lists the per-connection sshd processes, which a test can freeze', async () => {
    expect(await fixture.connectionPids()).toEqual([]);
    const options = ['-tt', '-o', 'BatchMode=yes', '-i', join(dir, 'id_ed25519')];
    session = spawn('ssh', sshArgs(options, 'echo ready; sleep 60'), { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      session.stdout?.on('data', (data: Buffer) => data.toString().includes('ready') && resolve());
      session.once('exit', () => reject(new Error(`ssh exited early\n${fixture.log()}`)));
    });
    sessionPids = await fixture.connectionPids();
    const titles = await Promise.all(sessionPids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8')));
    expect(titles.map((title) => title.replace(/\0/g, ' ').trim())).toEqual([
      'sshd: vigil-test [priv]',
      expect.stringMatching(/^sshd: vigil-test@pts\/\d+$/),
    ]);
    for (const pid of sessionPids) process.kill(pid, 'SIGSTOP');
  });

  it('stops sshd and its frozen connections, frees the port and can be stopped twice', async () => {
    const sessionEnded = new Promise((resolve) => session.once('exit', resolve));
    await Promise.all([fixture.stop(), fixture.stop()]);
    await fixture.stop();
    await sessionEnded;
    for (const pid of sessionPids) expect(await isLive(pid)).toBe(false);
    await expect(listenOn(fixture.port)).resolves.toBeUndefined();
  });
});

/** A zombie is dead: it only waits for a parent (here possibly init) to collect its exit code. */
async function isLive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/^Z/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

function listenOn(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
