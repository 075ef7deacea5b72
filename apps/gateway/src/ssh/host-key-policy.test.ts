import { describe, expect, it } from 'vitest';
import { describeOfferedKey, judgeHostKey, preferredHostKeyAlgorithms } from './host-key-policy.js';
import { parseKnownHosts } from './known-hosts.js';

const ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const OTHER_ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIBNl0jL1YDyCGpjVZ0ghLBX6wn9d5rYAMz0p6R82p6Rm';
const offered = describeOfferedKey(Buffer.from(ED25519, 'base64'));

describe('describeOfferedKey', () => {
  it('reads the algorithm from the blob and fingerprints it as ssh-keygen -l does', () => {
    expect(offered.keyType).toBe('ssh-ed25519');
    // ssh-keygen -lf on this key prints this fingerprint.
    expect(offered.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('does not trip over a truncated blob', () => {
    expect(describeOfferedKey(Buffer.from([0, 0, 0, 99, 1])).keyType).toBe('unknown');
  });
});

describe('judgeHostKey', () => {
  const none = { pins: undefined, knownHosts: [] };

  it('trusts a pinned key, by key line or fingerprint', () => {
    expect(judgeHostKey(offered, { ...none, pins: [`ssh-ed25519 ${ED25519}`] })).toBe('trusted');
    expect(judgeHostKey(offered, { ...none, pins: [offered.fingerprint] })).toBe('trusted');
  });

  it('calls any other key a mismatch when pins exist, even if known_hosts knows it', () => {
    const knownHosts = parseKnownHosts(`h ssh-ed25519 ${ED25519}`);
    expect(judgeHostKey(offered, { pins: [`ssh-ed25519 ${OTHER_ED25519}`], knownHosts })).toBe('mismatch');
  });

  it('trusts a known_hosts key and calls a changed one a mismatch', () => {
    expect(judgeHostKey(offered, { ...none, knownHosts: parseKnownHosts(`h ssh-ed25519 ${ED25519}`) })).toBe(
      'trusted',
    );
    expect(
      judgeHostKey(offered, { ...none, knownHosts: parseKnownHosts(`h ssh-ed25519 ${OTHER_ED25519}`) }),
    ).toBe('mismatch');
  });

  it('calls a host nobody knows unknown', () => {
    expect(judgeHostKey(offered, none)).toBe('unknown');
  });

  it('refuses a revoked key whatever else says', () => {
    const knownHosts = parseKnownHosts(`h ssh-ed25519 ${ED25519}\n@revoked * ssh-ed25519 ${ED25519}`);
    expect(judgeHostKey(offered, { pins: [offered.fingerprint], knownHosts })).toBe('revoked');
  });
});

describe('preferredHostKeyAlgorithms', () => {
  it('asks first for the key types already known, as ssh(1) does', () => {
    const knownHosts = parseKnownHosts(`h ssh-rsa ${ED25519}`);
    expect(preferredHostKeyAlgorithms({ pins: undefined, knownHosts }).slice(0, 3)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-ed25519',
    ]);
    expect(preferredHostKeyAlgorithms({ pins: [`ecdsa-sha2-nistp256 ${ED25519}`], knownHosts: [] })[0]).toBe(
      'ecdsa-sha2-nistp256',
    );
  });

  it('keeps the default order when nothing is known, and never offers SHA-1 ssh-rsa', () => {
    const order = preferredHostKeyAlgorithms({ pins: undefined, knownHosts: [] });
    expect(order[0]).toBe('ssh-ed25519');
    expect(order).not.toContain('ssh-rsa');
  });
});
