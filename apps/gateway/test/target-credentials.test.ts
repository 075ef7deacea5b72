import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthRequest } from '@vigil/protocol';
import type { SshdFixture } from '@vigil/test-sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/config-schema.js';
import { parseConfig } from '../src/config/load-config.js';
import { loadTargetKeys } from '../src/targets/target-keys.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;
let keyDir: string;

async function secretFile(name: string, text: string, mode = 0o600) {
  const path = join(keyDir, name);
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'vigil-keys-'));
  gateway = await startGateway(async (sshd) => ({
    targets: [
      pinnedTarget(sshd, {
        name: 'held',
        user: sshd.user,
        credentials: { privateKeyFile: await secretFile('deploy_ed25519', sshd.privateKey) },
      }),
      pinnedTarget(sshd, {
        name: 'held-encrypted',
        user: sshd.user,
        credentials: {
          privateKeyFile: await secretFile('deploy_encrypted', sshd.encryptedPrivateKey),
          passphraseFile: await secretFile('deploy_passphrase', `${sshd.passphrase}\n`),
        },
      }),
      pinnedTarget(sshd, { name: 'ask' }),
    ],
  }));
});
afterAll(() => gateway?.stop());

async function open(target: string, auth: AuthRequest) {
  const client = await gateway.connect({ cookie: await gateway.browserCookie() });
  client.open({ target, auth, username: gateway.sshd.user });
  return client;
}

describe('a target that holds its own key', () => {
  it('is listed without any sign-in method to ask for, and without a trace of the key', async () => {
    const response = await fetch(`${gateway.baseUrl}/api/targets`);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual([
      { name: 'held', label: 'held', user: gateway.sshd.user, authMethods: [], gatewayKey: true },
      {
        name: 'held-encrypted',
        label: 'held-encrypted',
        user: gateway.sshd.user,
        authMethods: [],
        gatewayKey: true,
      },
      { name: 'ask', label: 'ask', authMethods: ['password', 'publickey', 'keyboard-interactive'] },
    ]);
    expect(text).not.toMatch(/PRIVATE KEY|deploy_|vigil-keys/);
  });

  it('opens a shell signed in with the held key, and the audit trail says so', async () => {
    for (const target of ['held', 'held-encrypted']) {
      const client = await open(target, { method: 'gateway-key' });
      const { sessionId, username } = await client.message('opened');
      expect(username).toBe(gateway.sshd.user);
      client.type('echo "signed in as $(whoami)"; exit\r');
      await client.outputMatching(new RegExp(`^signed in as ${gateway.sshd.user}\r?$`, 'm'));
      await client.message('exit');
      const [start] = await gateway.audit.query({ sessionId, kind: 'session-start' });
      expect(start?.event).toMatchObject({ target, auth: 'gateway-key', sshUser: gateway.sshd.user });
    }
  });

  it('is reached only with its key, and the key is never offered to another target', async () => {
    const withPassword = await open('held', { method: 'password', password: gateway.sshd.password });
    expect(await withPassword.message('error')).toMatchObject({
      code: 'AUTH_METHOD_NOT_ALLOWED',
      message: 'That sign-in method is not allowed for held (password).',
    });
    const borrowing = await open('ask', { method: 'gateway-key' });
    expect(await borrowing.message('error')).toMatchObject({ code: 'AUTH_METHOD_NOT_ALLOWED' });
  });
});

describe('checking held keys at start-up', () => {
  const configWith = (sshd: SshdFixture, credentials: Record<string, string>) =>
    configSchema.parse({ targets: [pinnedTarget(sshd, { name: 'db', user: 'deploy', credentials })] })
      .targets;

  it('refuses a key others can read, as ssh(1) does', async () => {
    const path = await secretFile('open_key', gateway.sshd.privateKey, 0o644);
    await expect(loadTargetKeys(configWith(gateway.sshd, { privateKeyFile: path }))).rejects.toThrow(
      `targets[0].credentials (db): permissions 0644 for ${path} are too open; the key must be readable by its owner only (chmod 600 ${path})`,
    );
  });

  it('names a missing file, a wrong passphrase and text that is not a key', async () => {
    const encrypted = await secretFile('enc', gateway.sshd.encryptedPrivateKey);
    const wrong = await secretFile('wrong_passphrase', 'not-it\n');
    const garbage = await secretFile('garbage', 'hello\n');
    const missing = join(keyDir, 'nope');
    const attempts = [
      [{ privateKeyFile: missing }, `ENOENT: no such file or directory, stat '${missing}'`],
      [{ privateKeyFile: encrypted }, 'The private key is encrypted and the passphrase is missing or wrong.'],
      [
        { privateKeyFile: encrypted, passphraseFile: wrong },
        'The private key is encrypted and the passphrase is missing or wrong.',
      ],
      [{ privateKeyFile: garbage }, 'The private key could not be read'],
    ] as const;
    for (const [credentials, words] of attempts) {
      await expect(loadTargetKeys(configWith(gateway.sshd, credentials))).rejects.toThrow(words);
    }
  });

  it('needs the SSH user the key belongs to, and resolves the key path against the config file', () => {
    const yaml = (user: string) =>
      `targets:\n  - name: db\n    host: 10.0.0.5\n${user}    hostKeys: { trustOnFirstUse: true }\n    credentials: { privateKeyFile: keys/db }\n`;
    expect(() => parseConfig(yaml(''), 'v.yaml', '/etc/vigil')).toThrow(
      'targets[0].user: a target with credentials needs the SSH user they belong to: user: <name>',
    );
    const config = parseConfig(yaml('    user: deploy\n'), 'v.yaml', '/etc/vigil');
    expect(config.targets[0]?.credentials).toEqual({ privateKeyFile: '/etc/vigil/keys/db' });
  });
});
