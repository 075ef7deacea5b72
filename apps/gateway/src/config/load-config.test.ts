import { describe, expect, it } from 'vitest';
import { ConfigError, closestKey, parseConfig } from './load-config.js';

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'vigil.yaml', '/etc/vigil');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const valid = `
listen:
  port: 9000
targets:
  - name: web-1
    host: 10.0.0.5
    user: deploy
    authMethods: [publickey]
    hostKeys:
      knownHosts: known_hosts
`;

describe('parseConfig', () => {
  it('fills defaults and resolves paths against the config folder', () => {
    const config = parseConfig(valid, 'vigil.yaml', '/etc/vigil');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 9000, trustProxy: [] });
    expect(config.dataDir).toBe('/etc/vigil/data');
    expect(config.targets[0]).toMatchObject({
      name: 'web-1',
      port: 22,
      authMethods: ['publickey'],
      hostKeys: { knownHosts: '/etc/vigil/known_hosts', trustOnFirstUse: false },
      env: { LANG: 'C.UTF-8' },
    });
  });

  it('names the line, the key path and the likely intended key for a typo', () => {
    const text = valid.replace('authMethods:', 'authMethod:');
    expect(problemsOf(text)).toEqual([
      'vigil.yaml:8:5: targets[0].authMethod: unknown key (did you mean "authMethods"?)',
    ]);
  });

  it('names the line of a bad value', () => {
    const text = valid.replace('port: 9000', 'port: nine');
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^vigil\.yaml:3:9: listen\.port: /)]);
  });

  it('refuses a target whose host key cannot be verified', () => {
    const text = 'targets:\n  - name: a\n    host: h\n    hostKeys: {}\n';
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^vigil\.yaml:4:15: targets\[0\]\.hostKeys: give pins, a knownHosts file/),
    ]);
  });

  it('refuses a malformed host key pin', () => {
    const text = 'targets:\n  - name: a\n    host: h\n    hostKeys:\n      pins: ["ssh-ed25519"]\n';
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^vigil\.yaml:5:14: targets\[0\]\.hostKeys\.pins\[0\]: /),
    ]);
  });

  it('refuses two targets with one name', () => {
    const target = '  - name: a\n    host: h\n    hostKeys: { trustOnFirstUse: true }\n';
    expect(problemsOf(`targets:\n${target}${target}`)).toEqual([
      'vigil.yaml:5:11: targets[1].name: "a" is used twice',
    ]);
  });

  it('refuses a CIDR that is not one', () => {
    const text = 'freeFormTargets:\n  allow: [10.0.0.0/33]\n  hostKeys: { trustOnFirstUse: true }\n';
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^vigil\.yaml:2:11: freeFormTargets\.allow\[0\]: /),
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('targets:\n  - name: [unclosed\n')).toEqual([
      expect.stringMatching(/^vigil\.yaml:\d+:\d+: YAML: /),
    ]);
  });

  it('reports a duplicated key', () => {
    expect(problemsOf('dataDir: a\ndataDir: b\n')).toEqual([
      expect.stringMatching(/^vigil\.yaml:2:1: YAML: /),
    ]);
  });
});

describe('closestKey', () => {
  it('suggests only keys that are close', () => {
    expect(closestKey('hostkeys', ['hostKeys', 'host'])).toBe('hostKeys');
    expect(closestKey('completely-else', ['hostKeys', 'host'])).toBeUndefined();
  });
});
