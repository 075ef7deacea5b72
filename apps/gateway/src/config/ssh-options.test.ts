import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';
import { effectiveSshOptions, VIGIL_SSH_DEFAULTS } from './ssh-options.js';
import { applySshOverrides } from './ssh-overrides.js';

const yaml = `
defaults:
  ssh:
    ServerAliveInterval: 30
    TCPKeepAlive: no
targets:
  - name: a
    host: h
    hostKeys: { trustOnFirstUse: true }
    ssh:
      ServerAliveCountMax: 1
  - name: b
    host: h
    hostKeys: { trustOnFirstUse: true }
`;

describe('ssh options', () => {
  it('layers defaults, target and command line in ssh(1) precedence', () => {
    const config = applySshOverrides(parseConfig(yaml, 'v.yaml', '/'), { ServerAliveInterval: 5 });
    const [a, b] = config.targets.map((t) => effectiveSshOptions(config.defaults.ssh, t.ssh));
    expect(a).toEqual({
      ServerAliveInterval: 5,
      ServerAliveCountMax: 1,
      TCPKeepAlive: false,
      TCPKeepAliveDelay: 60,
    });
    expect(b).toEqual({
      ServerAliveInterval: 5,
      ServerAliveCountMax: 3,
      TCPKeepAlive: false,
      TCPKeepAliveDelay: 60,
    });
  });

  it('ships with heartbeats on', () => {
    expect(VIGIL_SSH_DEFAULTS).toEqual({
      ServerAliveInterval: 15,
      ServerAliveCountMax: 3,
      TCPKeepAlive: true,
      TCPKeepAliveDelay: 60,
    });
  });

  it('names a misspelt option and its line', () => {
    expect(() => parseConfig('defaults:\n  ssh:\n    ServerAliveIntervall: 5\n', 'v.yaml', '/')).toThrow(
      'v.yaml:3:5: defaults.ssh.ServerAliveIntervall: unknown key (did you mean "ServerAliveInterval"?)',
    );
  });
});
