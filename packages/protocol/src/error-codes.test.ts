import { describe, expect, it } from 'vitest';
import { describeError, ERROR_CODES } from './error-codes.js';

describe('describeError', () => {
  it('has words for every code', () => {
    for (const code of ERROR_CODES) {
      expect(describeError(code).length, code).toBeGreaterThan(10);
    }
  });

  it('words a host key mismatch as OpenSSH does, with the offered fingerprint', () => {
    const text = describeError('HOST_KEY_MISMATCH', {
      host: '127.0.0.1',
      port: 2222,
      keyType: 'ssh-ed25519',
      fingerprint: 'SHA256:abc',
    });
    expect(text).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(text).toContain('ED25519 key sent by the remote host [127.0.0.1]:2222 is SHA256:abc');
  });

  it('words a keepalive timeout as ssh(1) does', () => {
    expect(describeError('KEEPALIVE_TIMEOUT', { host: '10.0.0.5', port: 22 })).toBe(
      'Timeout, server 10.0.0.5 not responding.',
    );
  });

  it('words a refused connection as ssh(1) does', () => {
    expect(describeError('CONNECT_REFUSED', { host: '127.0.0.1', port: 1 })).toBe(
      'ssh: connect to host 127.0.0.1 port 1: Connection refused',
    );
  });
});
