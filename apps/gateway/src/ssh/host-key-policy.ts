import { createHash } from 'node:crypto';
import type { KnownHostsEntry } from './known-hosts.js';

/** The key a server offered during key exchange. */
export interface OfferedHostKey {
  keyType: string;
  key: Buffer;
  /** `SHA256:` + unpadded base64 of the blob's SHA-256, exactly as ssh-keygen -l prints it. */
  fingerprint: string;
}

export type HostKeyVerdict = 'trusted' | 'unknown' | 'mismatch' | 'revoked';

/** What the gateway knows about one target's keys: configured pins and matching known_hosts lines. */
export interface KnownKeys {
  /** Pins from the config; when present they are the whole truth for the target. */
  pins: readonly string[] | undefined;
  knownHosts: readonly KnownHostsEntry[];
}

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Reads the algorithm name that starts every SSH public key blob (RFC 4253 §6.6). */
export function describeOfferedKey(key: Buffer): OfferedHostKey {
  const length = key.length >= 4 ? key.readUInt32BE(0) : 0;
  const keyType =
    length > 0 && length + 4 <= key.length ? key.subarray(4, 4 + length).toString('latin1') : 'unknown';
  return { keyType, key, fingerprint: fingerprintOf(key) };
}

function pinMatches(pin: string, offered: OfferedHostKey): boolean {
  if (pin.startsWith('SHA256:')) return pin === offered.fingerprint;
  const [keyType, base64] = pin.split(/\s+/);
  return keyType === offered.keyType && Buffer.from(base64 ?? '', 'base64').equals(offered.key);
}

/**
 * Mirrors ssh(1) with StrictHostKeyChecking=yes: a revoked key is refused, a known key is
 * trusted, and a host that has known keys but not this one is a mismatch — the case where a
 * person must not simply be asked again.
 */
export function judgeHostKey(offered: OfferedHostKey, known: KnownKeys): HostKeyVerdict {
  const revoked = known.knownHosts.some((e) => e.marker === 'revoked' && e.key.equals(offered.key));
  if (revoked) return 'revoked';
  if (known.pins !== undefined) {
    return known.pins.some((pin) => pinMatches(pin, offered)) ? 'trusted' : 'mismatch';
  }
  const hostKeys = known.knownHosts.filter((e) => e.marker === undefined);
  if (hostKeys.some((e) => e.keyType === offered.keyType && e.key.equals(offered.key))) return 'trusted';
  return hostKeys.length > 0 ? 'mismatch' : 'unknown';
}

/** Host key algorithms Vigil accepts, in ssh2's order; SHA-1 `ssh-rsa` is off as in OpenSSH ≥ 8.8. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
];

/**
 * Puts the algorithms of keys we already know first, as ssh(1) does, so a server with several
 * host keys presents the one we can check instead of causing a false mismatch.
 */
export function preferredHostKeyAlgorithms(known: KnownKeys): string[] {
  const knownTypes = new Set<string>(known.knownHosts.map((e) => e.keyType));
  for (const pin of known.pins ?? []) {
    if (!pin.startsWith('SHA256:')) knownTypes.add(pin.split(/\s+/)[0] ?? '');
  }
  const algorithmType = (algorithm: string) => (algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm);
  const preferred = HOST_KEY_ALGORITHMS.filter((a) => knownTypes.has(algorithmType(a)));
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}
