import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LogTail } from '@vigil/test-processes';
import { hbaConf, serverArgs } from './postgres-config.js';
import { runPostgresProgram } from './postgres-env.js';
import { launchPostgres, PortTakenError, type PostgresProcess, stopPostgres } from './postgres-process.js';
import { findPostgresBinDir, type ServerAccount, serverAccount } from './requirements.js';

export interface PostgresOptions {
  /** The database created for the test, the one `url` names. @default 'vigil' */
  database?: string;
  /** Server settings (`-c name=value`); they override the fixture's `fsync=off`, not where it listens. @default {} */
  settings?: Record<string, string>;
}

export interface PostgresFixture {
  /** `postgres://postgres@127.0.0.1:PORT/DATABASE`: trust authentication, no password. */
  url: string;
  host: '127.0.0.1';
  /** The same for the fixture's whole life, across stopServer()/startServer(). */
  port: number;
  /** The superuser, which every connection is. */
  user: 'postgres';
  database: string;
  /** The cluster's data folder (PGDATA); stopServer()/startServer() keep it. */
  dataDir: string;
  /** The folder holding the Unix socket `.s.PGSQL.<port>`, for `psql -h`. */
  socketDir: string;
  /** The last 500 lines of the server's log, over all its runs. */
  log(): string;
  /** Fast shutdown: sessions are ended and clients see connection errors; the data stays. Safe when stopped. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port with the same data. Safe when running. */
  startServer(): Promise<void>;
  /** stopServer() then startServer(). */
  restart(): Promise<void>;
  /** Stops the server and removes the folder. Safe to call twice; the fixture cannot start again. */
  stop(): Promise<void>;
}

/** initdb takes about 0.6 s on an idle machine; a loaded CI runner is many times slower. */
const INITDB_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const BIND_ATTEMPTS = 5;
const SUPERUSER = 'postgres';

/** A real PostgreSQL server on 127.0.0.1 with a throwaway cluster in a temp folder. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresFixture> {
  const [binDir, account] = await Promise.all([findPostgresBinDir(), serverAccount()]);
  const database = options.database ?? 'vigil';
  const dir = await mkdtemp(join(tmpdir(), 'vigil-postgres-'));
  const dataDir = join(dir, 'data');
  const tail = new LogTail();
  // A test run that crashes or forgets stop() must not leave a server running, or its data, behind.
  // Its children notice the postmaster's death and exit on their own.
  let server: PostgresProcess | undefined;
  let postmaster: ChildProcess | undefined;
  const cleanUpAtExit = () => {
    postmaster?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUpAtExit);
  const removeDir = async () => {
    await rm(dir, { recursive: true, force: true });
    process.off('exit', cleanUpAtExit);
  };
  try {
    if (account !== undefined) await chown(dir, account.uid, account.gid);
    await createCluster(binDir, dataDir, account);
    const argsFor = (port: number) =>
      serverArgs({ dataDir, socketDir: dir, port, settings: options.settings ?? {} });
    const launch = (port: number) =>
      launchPostgres({
        binDir,
        args: argsFor(port),
        port,
        account,
        tail,
        timeoutMs: START_TIMEOUT_MS,
        onSpawn: (child) => {
          postmaster = child;
        },
      });
    const started = await listenOnFreePort(launch);
    const { port } = started;
    server = started.server;
    const createdbArgs = ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, database];
    await runPostgresProgram(join(binDir, 'createdb'), createdbArgs, { timeoutMs: START_TIMEOUT_MS });

    // One step at a time, so a stopServer() racing a startServer() cannot leave two postmasters.
    let queue: Promise<void> = Promise.resolve();
    const inTurn = (step: () => Promise<void>) => {
      const next = queue.then(step);
      queue = next.catch(() => {});
      return next;
    };
    let stopped = false;
    let stopping: Promise<void> | undefined;
    const stopServer = () =>
      inTurn(async () => {
        if (server !== undefined) await stopPostgres(server, STOP_TIMEOUT_MS);
        server = undefined;
      });
    const startServer = () =>
      inTurn(async () => {
        if (stopped) throw new Error('this PostgreSQL fixture was stopped; start a new one');
        if (server !== undefined) return;
        try {
          server = await launch(port);
        } catch (error) {
          if (!(error instanceof PortTakenError)) throw error;
          throw new Error(
            `port ${port} was taken while the server was stopped\npostgres log:\n${tail.text()}`,
            {
              cause: error,
            },
          );
        }
      });
    return {
      url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      host: '127.0.0.1',
      port,
      user: SUPERUSER,
      database,
      dataDir,
      socketDir: dir,
      log: () => tail.text(),
      stopServer,
      startServer,
      async restart() {
        await stopServer();
        await startServer();
      },
      stop() {
        stopped = true;
        stopping ??= stopServer().then(removeDir);
        return stopping;
      },
    };
  } catch (error) {
    if (server !== undefined) await stopPostgres(server, STOP_TIMEOUT_MS);
    await removeDir();
    throw error;
  }
}

/**
 * initdb with no fsync and no locale (fast, and the same everywhere), then an explicit
 * pg_hba.conf instead of initdb's, which also trusts ::1 and replication connections.
 */
async function createCluster(binDir: string, dataDir: string, account: ServerAccount | undefined) {
  const initdbArgs = ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-locale'];
  await runPostgresProgram(join(binDir, 'initdb'), [...initdbArgs, '--no-sync', '--no-instructions'], {
    account,
    timeoutMs: INITDB_TIMEOUT_MS,
  });
  // Rewriting the file initdb made keeps its owner, the server account.
  await writeFile(join(dataDir, 'pg_hba.conf'), hbaConf());
}

async function listenOnFreePort(launch: (port: number) => Promise<PostgresProcess>) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, server: await launch(port) };
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === BIND_ATTEMPTS) throw error;
    }
  }
}
