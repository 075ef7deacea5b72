import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthRequest } from '@vigil/protocol';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveSshOptions } from '../src/config/ssh-options.js';
import { openShell } from '../src/ssh/open-shell.js';
import { KnownHostsFile } from '../src/storage/local/known-hosts-file.js';
import { collectGarbage } from './support/collect-garbage.js';

let sshd: SshdFixture;
let dataDir: string;
beforeAll(async () => {
  sshd = await startSshd();
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-data-'));
});
afterAll(() => sshd?.stop());

const noQuestions = {
  keyboardInteractive: async () => [],
  confirmHostKey: async () => false,
  hostKeyDecided: () => {},
};

function open(auth: AuthRequest) {
  return openShell(
    {
      host: sshd.host,
      connectAddress: sshd.host,
      port: sshd.port,
      target: 'fixture',
      username: sshd.user,
      auth,
      gatewayKey: undefined,
      allowedMethods: ['password', 'publickey'],
      hostKeys: { pins: sshd.hostKeys.map((k) => k.publicKey), trustOnFirstUse: false },
      firstUseKeys: new KnownHostsFile(dataDir),
      env: {},
      ssh: effectiveSshOptions({}, {}),
      cols: 80,
      rows: 24,
      connectTimeoutMs: 10_000,
      signal: new AbortController().signal,
    },
    noQuestions,
  );
}

describe('credentials in the gateway’s memory', () => {
  it('are let go once the shell runs, though the connection lives on', async () => {
    for (const auth of [
      { method: 'password', password: sshd.password },
      { method: 'publickey', privateKey: sshd.privateKey },
    ] as AuthRequest[]) {
      // Only a WeakRef is kept here: the gateway alone could keep the credentials alive.
      const released = new WeakRef({ ...auth });
      const shell = await open(released.deref()!);
      await new Promise((resolve) => setTimeout(resolve, 20));
      collectGarbage();
      expect(released.deref(), auth.method).toBeUndefined();
      shell.close('test over');
    }
  });
});
