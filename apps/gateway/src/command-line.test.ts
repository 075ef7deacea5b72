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
});
