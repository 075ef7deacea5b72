import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from './command-line.js';

describe('parseCommandLine', () => {
  it('serves the embedded default without arguments', () => {
    expect(parseCommandLine([], {})).toEqual({ kind: 'serve', configPath: undefined });
  });

  it('takes the config from --config, -c, --config= or VIGIL_CONFIG', () => {
    expect(parseCommandLine(['--config', 'a.yaml'], {})).toEqual({ kind: 'serve', configPath: 'a.yaml' });
    expect(parseCommandLine(['-c', 'b.yaml'], {})).toEqual({ kind: 'serve', configPath: 'b.yaml' });
    expect(parseCommandLine(['--config=c.yaml'], {})).toEqual({ kind: 'serve', configPath: 'c.yaml' });
    expect(parseCommandLine([], { VIGIL_CONFIG: 'd.yaml' })).toEqual({ kind: 'serve', configPath: 'd.yaml' });
    expect(parseCommandLine(['-c', 'e.yaml'], { VIGIL_CONFIG: 'd.yaml' })).toEqual({
      kind: 'serve',
      configPath: 'e.yaml',
    });
  });

  it('refuses what it does not understand', () => {
    expect(() => parseCommandLine(['--confg', 'a.yaml'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['--config'], {})).toThrow('--config needs a file name');
  });
});
