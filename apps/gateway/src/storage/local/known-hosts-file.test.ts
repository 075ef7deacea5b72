import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstUseKeysContract, someKey } from '../first-use-keys.contract.js';
import { KnownHostsFile, trustedOnFirstUseFile } from './known-hosts-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-known-hosts-'));
  dirs.push(dir);
  return join(dir, 'data');
}

describe('KnownHostsFile', () => {
  firstUseKeysContract(async () => new KnownHostsFile(dataDir()));

  it('writes OpenSSH known_hosts lines, and two sessions accepting at once keep one key', async () => {
    const dir = dataDir();
    const keys = new KnownHostsFile(dir);
    const [a, b] = [someKey(), someKey()];
    const kept = await Promise.all([keys.remember('web-1', 22, a), keys.remember('web-1', 22, b)]);
    expect(kept.map((key) => key.equals(a.key))).toEqual([true, true]);
    expect(readFileSync(trustedOnFirstUseFile(dir), 'utf8')).toBe(
      `web-1 ssh-ed25519 ${a.key.toString('base64')}\n`,
    );
  });
});
