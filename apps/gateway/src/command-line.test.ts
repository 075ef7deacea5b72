import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from './command-line.js';

const serve = (configPath: string | undefined, sshOverrides = {}) => ({
  kind: 'serve',
  configPath,
  sshOverrides,
});

describe('parseCommandLine', () => {
  it('serves the embedded default without arguments', () => {
    expect(parseCommandLine([], {})).toEqual(serve(undefined));
  });

  it('takes the config from --config, -c, --config= or VIGIL_CONFIG', () => {
    expect(parseCommandLine(['--config', 'a.yaml'], {})).toEqual(serve('a.yaml'));
    expect(parseCommandLine(['-c', 'b.yaml'], {})).toEqual(serve('b.yaml'));
    expect(parseCommandLine(['--config=c.yaml'], {})).toEqual(serve('c.yaml'));
    expect(parseCommandLine([], { VIGIL_CONFIG: 'd.yaml' })).toEqual(serve('d.yaml'));
    expect(parseCommandLine(['-c', 'e.yaml'], { VIGIL_CONFIG: 'd.yaml' })).toEqual(serve('e.yaml'));
  });

  it('takes -o options exactly as ssh(1) does: any case, = or space, yes/no', () => {
    const args = ['-o', 'ServerAliveInterval=60', '-oserveralivecountmax=1', '-o', 'TCPKeepAlive no'];
    expect(parseCommandLine(args, {})).toEqual(
      serve(undefined, { ServerAliveInterval: 60, ServerAliveCountMax: 1, TCPKeepAlive: false }),
    );
    expect(parseCommandLine(['-o', 'TCPKeepAlive=YES'], {})).toEqual(
      serve(undefined, { TCPKeepAlive: true }),
    );
  });

  it('refuses unknown options and bad values with a message that says which', () => {
    expect(() => parseCommandLine(['-o', 'ServerAliveIntervall=5'], {})).toThrow(
      /unsupported option "ServerAliveIntervall" \(Vigil honours ServerAliveInterval, /,
    );
    expect(() => parseCommandLine(['-o', 'ServerAliveCountMax=-1'], {})).toThrow(
      /bad value for ServerAliveCountMax/,
    );
    expect(() => parseCommandLine(['-o', 'TCPKeepAlive=maybe'], {})).toThrow(/bad value for TCPKeepAlive/);
    expect(() => parseCommandLine(['-o'], {})).toThrow('-o needs a value');
  });

  it('refuses what it does not understand', () => {
    expect(() => parseCommandLine(['--confg', 'a.yaml'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['--config'], {})).toThrow('--config needs a value');
  });

  it('parses "vigil audit export" with its options', () => {
    expect(parseCommandLine(['audit', 'export'], {})).toEqual({
      kind: 'audit-export',
      configPath: undefined,
      afterId: 0,
    });
    expect(parseCommandLine(['audit', 'export', '-c', 'v.yaml', '--after', '42'], {})).toEqual({
      kind: 'audit-export',
      configPath: 'v.yaml',
      afterId: 42,
    });
    expect(() => parseCommandLine(['audit', 'export', '--after', 'x'], {})).toThrow(
      '--after needs an event id',
    );
    expect(() => parseCommandLine(['audit', 'show'], {})).toThrow(
      'the audit command is "vigil audit export"',
    );
  });

  it('parses "vigil hash-password" and keeps passwords off the command line', () => {
    expect(parseCommandLine(['hash-password'], {})).toEqual({ kind: 'hash-password' });
    expect(() => parseCommandLine(['hash-password', 'secret'], {})).toThrow(
      'reads the password from standard input',
    );
  });

  it('parses "vigil user add|passwd|remove" with the config file they edit', () => {
    expect(parseCommandLine(['user', 'add', 'bob', '-c', 'v.yaml'], {})).toEqual({
      kind: 'user',
      configPath: 'v.yaml',
      change: { action: 'add', name: 'bob', groups: [], admin: false },
    });
    expect(
      parseCommandLine(['user', 'add', '--group', 'ops', 'bob', '--admin', '--group', 'dba'], {
        VIGIL_CONFIG: 'v.yaml',
      }),
    ).toEqual({
      kind: 'user',
      configPath: 'v.yaml',
      change: { action: 'add', name: 'bob', groups: ['ops', 'dba'], admin: true },
    });
    expect(parseCommandLine(['user', 'passwd', 'bob', '--config=v.yaml'], {})).toEqual({
      kind: 'user',
      configPath: 'v.yaml',
      change: { action: 'passwd', name: 'bob' },
    });
    expect(parseCommandLine(['user', 'remove', 'bob'], { VIGIL_CONFIG: 'v.yaml' })).toEqual({
      kind: 'user',
      configPath: 'v.yaml',
      change: { action: 'remove', name: 'bob' },
    });
  });

  it('refuses user commands without a config file, a name, or with what only add takes', () => {
    expect(() => parseCommandLine(['user', 'add', 'bob'], {})).toThrow(
      new UsageError('user commands edit a config file: give --config FILE or set VIGIL_CONFIG'),
    );
    expect(() => parseCommandLine(['user', 'remove', '-c', 'v.yaml'], {})).toThrow(
      "vigil user remove needs the user's name",
    );
    expect(() => parseCommandLine(['user', 'passwd', 'bob', '--admin', '-c', 'v.yaml'], {})).toThrow(
      'unknown argument "--admin"',
    );
    expect(() => parseCommandLine(['user', 'add', 'bob', '--group'], {})).toThrow('--group needs a value');
    expect(() => parseCommandLine(['user', 'add', 'bob', '-o', 'TCPKeepAlive=no'], {})).toThrow(
      'unknown argument "-o"',
    );
    expect(() => parseCommandLine(['user', 'list'], {})).toThrow(
      'the user commands are "vigil user add|passwd|remove"',
    );
  });

  it('keeps passwords off the user command line', () => {
    expect(() => parseCommandLine(['user', 'add', 'bob', 'hunter2', '-c', 'v.yaml'], {})).toThrow(
      'give one user name; a password is read from standard input, never from arguments',
    );
  });
});
