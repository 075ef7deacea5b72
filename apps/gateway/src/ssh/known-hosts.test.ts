import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entriesFor, hostMatches, knownHostsLine, knownHostsName, parseKnownHosts } from './known-hosts.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

function hashed(name: string, salt = Buffer.from('0123456789abcdefghij')): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('parseKnownHosts', () => {
  it('reads plain, marked and commented lines and skips malformed ones', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        '',
        `web-1,10.0.0.5 ssh-ed25519 ${KEY} ops@laptop`,
        `@revoked * ssh-ed25519 ${KEY}`,
        '@cert-authority *.example.com ssh-ed25519 AAAA',
        'broken-line-without-key',
        `host ssh-ed25519 not*base64`,
      ].join('\n'),
    );
    expect(entries.map((e) => [e.marker, e.patterns, e.keyType])).toEqual([
      [undefined, 'web-1,10.0.0.5', 'ssh-ed25519'],
      ['revoked', '*', 'ssh-ed25519'],
      ['cert-authority', '*.example.com', 'ssh-ed25519'],
    ]);
    expect(entries[0]!.key.equals(Buffer.from(KEY, 'base64'))).toBe(true);
  });
});

describe('host matching, as ssh(1) does it', () => {
  it('names non-standard ports as [host]:port', () => {
    expect(knownHostsName('h', 22)).toBe('h');
    expect(knownHostsName('h', 2222)).toBe('[h]:2222');
  });

  it('matches lists, wildcards and negations', () => {
    expect(hostMatches('a,b,c', 'b')).toBe(true);
    expect(hostMatches('*.example.com', 'web.example.com')).toBe(true);
    expect(hostMatches('web-?', 'web-1')).toBe(true);
    expect(hostMatches('*.example.com,!db.example.com', 'db.example.com')).toBe(false);
    expect(hostMatches('WEB', 'web')).toBe(true);
    expect(hostMatches('web', 'web2')).toBe(false);
  });

  it('matches hashed names (HashKnownHosts yes)', () => {
    expect(hostMatches(hashed('[127.0.0.1]:2222'), '[127.0.0.1]:2222')).toBe(true);
    expect(hostMatches(hashed('[127.0.0.1]:2222'), '127.0.0.1')).toBe(false);
  });

  it('finds the entries for a host and port', () => {
    const entries = parseKnownHosts(`[h]:2222 ssh-ed25519 ${KEY}\nh ssh-rsa ${KEY}\n`);
    expect(entriesFor(entries, 'h', 2222).map((e) => e.keyType)).toEqual(['ssh-ed25519']);
    expect(entriesFor(entries, 'h', 22).map((e) => e.keyType)).toEqual(['ssh-rsa']);
  });

  it('writes lines it can read back', () => {
    const line = knownHostsLine('h', 2222, 'ssh-ed25519', Buffer.from(KEY, 'base64'));
    expect(line).toBe(`[h]:2222 ssh-ed25519 ${KEY}\n`);
    expect(entriesFor(parseKnownHosts(line), 'h', 2222)).toHaveLength(1);
  });
});
