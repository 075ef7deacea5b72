import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { OfferedHostKey } from '../ssh/host-key-policy.js';
import type { FirstUseKeys } from '../ssh/host-key-store.js';

/** A made-up key of `keyType`: only its bytes matter to the store. */
export function someKey(keyType = 'ssh-ed25519'): OfferedHostKey {
  const key = randomBytes(51);
  return { keyType, key, fingerprint: `SHA256:${key.toString('base64').slice(0, 43)}` };
}

/** What every side's first-use key store must do alike; `open` gives an empty one. */
export function firstUseKeysContract(open: () => Promise<FirstUseKeys>) {
  it('remembers a key for its host and port only', async () => {
    const keys = await open();
    const offered = someKey();
    expect((await keys.remember('web-1', 22, offered)).equals(offered.key)).toBe(true);
    const [entry, ...others] = await keys.entriesFor('web-1', 22);
    expect(others).toEqual([]);
    expect(entry?.keyType).toBe('ssh-ed25519');
    expect(entry?.key.equals(offered.key)).toBe(true);
    expect(await keys.entriesFor('web-1', 2222)).toEqual([]);
    expect(await keys.entriesFor('web-2', 22)).toEqual([]);
  });

  it('keeps the first key of a type: a second one gets the first back, and another type sits beside it', async () => {
    const keys = await open();
    const first = someKey();
    await keys.remember('db', 2222, first);
    expect((await keys.remember('db', 2222, someKey())).equals(first.key)).toBe(true);
    const rsa = someKey('ssh-rsa');
    expect((await keys.remember('db', 2222, rsa)).equals(rsa.key)).toBe(true);
    const remembered = await keys.entriesFor('db', 2222);
    expect(remembered.map((entry) => entry.keyType)).toEqual(['ssh-ed25519', 'ssh-rsa']);
    expect(remembered[0]?.key.equals(first.key)).toBe(true);
  });
}
