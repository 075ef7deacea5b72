import { describe, expect, it } from 'vitest';
import { sshdConfig } from './sshd-config.js';

const input = {
  port: 2222,
  hostKeyPaths: ['/tmp/k/ssh_host_ed25519_key'],
  pidFile: '/tmp/k/sshd.pid',
  authorizedKeysFile: '/tmp/k/authorized_keys',
  user: 'vigil-test',
};

describe('sshdConfig', () => {
  it('puts extra settings first, because sshd keeps the first value it reads', () => {
    const lines = sshdConfig({ ...input, extraConfig: ['PasswordAuthentication no'] }).split('\n');
    expect(lines[0]).toBe('PasswordAuthentication no');
    expect(lines.indexOf('PasswordAuthentication no')).toBeLessThan(
      lines.indexOf('PasswordAuthentication yes'),
    );
  });

  it('keeps Match blocks at the end, where they must be', () => {
    const extraConfig = ['ClientAliveInterval 1', 'Match User vigil-test', '  ForceCommand /bin/true'];
    const lines = sshdConfig({ ...input, extraConfig })
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe('ClientAliveInterval 1');
    expect(lines.slice(-2)).toEqual(['Match User vigil-test', '  ForceCommand /bin/true']);
    expect(lines).toContain(`Port ${input.port}`);
  });
});
