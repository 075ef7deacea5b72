export interface ServerArgsInput {
  dataDir: string;
  /** Folder of the Unix socket, `.s.PGSQL.<port>`. */
  socketDir: string;
  port: number;
  /** `-c name=value` settings; they override the fixture's defaults but not where it listens. */
  settings: Readonly<Record<string, string>>;
}

/**
 * Tests only: a crashed machine may lose the last commits, a killed server does not (its WAL is
 * written at each commit, just not flushed). synchronous_commit stays on for that reason: a
 * "database killed" fault test must still find what was committed.
 */
const TEST_DEFAULTS: Readonly<Record<string, string>> = { fsync: 'off' };

/** The postgres command line: the fixture's defaults, the test's settings, then where to listen. */
export function serverArgs({ dataDir, socketDir, port, settings }: ServerArgsInput): string[] {
  const all = {
    ...TEST_DEFAULTS,
    ...settings,
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
  };
  return ['-D', dataDir, ...Object.entries(all).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

/** pg_hba.conf: no password for anyone, but only over the fixture's own socket and 127.0.0.1. */
export function hbaConf(): string {
  return [
    '# TYPE  DATABASE  USER  ADDRESS       METHOD',
    'local   all       all                 trust',
    'host    all       all   127.0.0.1/32  trust',
    '',
  ].join('\n');
}
