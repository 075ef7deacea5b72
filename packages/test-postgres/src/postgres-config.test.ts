import { describe, expect, it } from 'vitest';
import { hbaConf, serverArgs } from './postgres-config.js';

describe('serverArgs', () => {
  it('lets a test override the defaults but never where the server listens', () => {
    const settings = { fsync: 'on', port: '1', listen_addresses: '*', max_connections: '20' };
    const args = serverArgs({ dataDir: '/t/data', socketDir: '/t', port: 15432, settings });
    expect(args).toEqual([
      '-D',
      '/t/data',
      '-c',
      'fsync=on',
      '-c',
      'port=15432',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=20',
      '-c',
      'unix_socket_directories=/t',
    ]);
  });

  it('turns fsync off by default', () => {
    expect(serverArgs({ dataDir: '/d', socketDir: '/s', port: 1, settings: {} })).toContain('fsync=off');
  });
});

describe('hbaConf', () => {
  it('trusts the Unix socket and 127.0.0.1, nothing else', () => {
    const rules = hbaConf()
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(/\s+/));
    expect(rules).toEqual([
      ['local', 'all', 'all', 'trust'],
      ['host', 'all', 'all', '127.0.0.1/32', 'trust'],
    ]);
  });
});
