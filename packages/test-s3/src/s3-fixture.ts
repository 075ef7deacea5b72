import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LogTail, runCommand } from '@vigil/test-processes';
import { cephConfig } from './ceph-config.js';
import { type CephDaemon, launchCephDaemon } from './ceph-daemon.js';
import { assertCanRunCeph } from './requirements.js';

export interface S3Options {
  /** Bounds the whole start, from the first daemon to the S3 user. @default 60_000 */
  startTimeoutMs?: number;
}

export interface S3Fixture {
  /** `http://127.0.0.1:PORT`; use path-style requests (`forcePathStyle: true` in the AWS SDK). */
  endpoint: string;
  /** RGW signs for any region name; this is the one to give the SDK. */
  region: 'us-east-1';
  accessKeyId: string;
  secretAccessKey: string;
  /** The temp folder holding every file the daemons write. */
  dir: string;
  /** The monitor's port on 127.0.0.1. */
  monitorPort: number;
  /** The daemons' pids: monitor, OSD, radosgw (the current one after a restart). */
  pids(): number[];
  /** Stops only radosgw: S3 requests then fail to connect, the stored objects stay. */
  stopGateway(): Promise<void>;
  /** Starts radosgw again on the same port and resolves once it answers HTTP. */
  startGateway(): Promise<void>;
  /** The last lines of each daemon's log and stderr, for error messages. */
  log(): string;
  /** Kills every daemon and removes the temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

const ACCESS_KEY_ID = 'VIGILTESTACCESSKEY01';
const SECRET_ACCESS_KEY = 'vigil-test-secret-access-key-0000000000';
const BIND_ATTEMPTS = 5;
const COMMAND_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 250;
const CEPH = '/usr/bin/ceph';

/** radosgw could not bind its port because someone took it after we picked it; try another. */
class PortTakenError extends Error {}

/**
 * A real S3 server: Ceph's radosgw on one monitor and one memstore OSD, all on 127.0.0.1, all
 * files in one temp folder, with one S3 user whose keys are fixed.
 */
export async function startS3(options: S3Options = {}): Promise<S3Fixture> {
  await assertCanRunCeph();
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const dir = await mkdtemp(join(tmpdir(), 'vigil-s3-'));
  const confPath = join(dir, 'ceph.conf');
  const daemons = new Map<string, CephDaemon>();
  // A test run that crashes or forgets stop() must not leave daemons or their data behind.
  const cleanUpAtExit = () => {
    for (const daemon of daemons.values()) daemon.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUpAtExit);
  const log = () => cephLog(dir, [...daemons.values()]);
  const killAll = async () => {
    await Promise.all([...daemons.values()].map((daemon) => killDaemon(daemon)));
  };
  const ceph = (...args: string[]) => cephCommand(confPath, deadline, args);
  try {
    for (const sub of ['run', 'log', 'crash', 'osd', 'rgw']) await mkdir(join(dir, sub));
    const { monitor, monitorPort } = await startMonitor(dir, confPath, deadline);
    daemons.set('mon', monitor);
    const osdId = (await ceph('osd', 'create')).trim();
    // Placed here, not by the OSD at boot (see ceph-config.ts): weight 1 under a host of its own.
    await ceph('osd', 'crush', 'add', `osd.${osdId}`, '1.0', 'root=default', 'host=vigil-test');
    await runCommand('/usr/bin/ceph-osd', ['-c', confPath, '-i', osdId, '--mkfs'], {
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
    const osd = launchCephDaemon('/usr/bin/ceph-osd', `osd.${osdId}`, ['-c', confPath, '-i', osdId]);
    daemons.set('osd', osd);
    await until(deadline, osd, 'the OSD to be up', async () => {
      const stat = JSON.parse(await ceph('osd', 'stat', '-f', 'json')) as { num_up_osds?: number };
      return stat.num_up_osds === 1;
    });
    const { port, gateway } = await startGatewayOnFreePort(confPath, deadline);
    daemons.set('rgw', gateway);
    const user = ['user', 'create', '--uid=vigil-test', '--display-name=Vigil test'];
    const keys = [`--access-key=${ACCESS_KEY_ID}`, `--secret-key=${SECRET_ACCESS_KEY}`];
    await runCommand('/usr/bin/radosgw-admin', ['-c', confPath, ...user, ...keys], {
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
    await prepareBucketPools(confPath, ceph);

    let stopping: Promise<void> | undefined;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      dir,
      monitorPort,
      pids: () => [...daemons.values()].map((daemon) => daemon.child.pid ?? 0),
      log,
      async stopGateway() {
        // SIGKILL, as a crashed or unplugged S3 would go: radosgw takes 3-5 s to leave on
        // SIGTERM, which made a test's own 5 s budget a matter of luck on a busy machine.
        const current = daemons.get('rgw');
        if (current !== undefined) await killDaemon(current);
      },
      async startGateway() {
        if (stopping !== undefined) throw new Error('startGateway() after stop()');
        const current = daemons.get('rgw');
        if (current !== undefined && !current.hasExited()) return;
        const restarted = launchGateway(confPath, port);
        daemons.set('rgw', restarted);
        try {
          await untilGatewayAnswers(restarted, port, Date.now() + 30_000);
        } catch (error) {
          await killDaemon(restarted);
          throw new Error(`${messageOf(error)}\n${log()}`, { cause: error });
        }
      },
      stop() {
        stopping ??= killAll().then(async () => {
          await rm(dir, { recursive: true, force: true });
          process.off('exit', cleanUpAtExit);
        });
        return stopping;
      },
    };
  } catch (error) {
    const message = `${messageOf(error)}\n${log()}`;
    await killAll();
    await rm(dir, { recursive: true, force: true });
    process.off('exit', cleanUpAtExit);
    throw new Error(`@vigil/test-s3 could not start: ${message}`, { cause: error });
  }
}

/**
 * The monitor's port is written into the monmap at mkfs, so a taken port means starting the
 * monitor over from its keyring, on a fresh port.
 */
async function startMonitor(dir: string, confPath: string, deadline: number) {
  const fsid = randomUUID();
  for (let attempt = 1; ; attempt++) {
    const monPort = await freePort();
    const monData = join(dir, 'mon');
    await rm(monData, { recursive: true, force: true });
    await rm(join(dir, 'log', 'mon.a.log'), { force: true });
    await mkdir(monData);
    await writeFile(confPath, cephConfig({ dir, fsid, monPort }));
    const keyring = join(dir, 'keyring');
    const monmap = join(dir, 'monmap');
    const tool = (program: string, args: string[]) =>
      runCommand(program, args, { timeoutMs: COMMAND_TIMEOUT_MS });
    await tool('/usr/bin/ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.']);
    const monAddress = `[v1:127.0.0.1:${monPort}]`;
    await tool('/usr/bin/monmaptool', [
      '--create',
      '--clobber',
      '--fsid',
      fsid,
      '--addv',
      'a',
      monAddress,
      monmap,
    ]);
    const mkfs = ['-c', confPath, '-i', 'a', '--mkfs', '--monmap', monmap, '--keyring', keyring];
    await tool('/usr/bin/ceph-mon', mkfs);
    const monitor = launchCephDaemon('/usr/bin/ceph-mon', 'mon.a', ['-c', confPath, '-i', 'a']);
    try {
      await until(deadline, monitor, 'the monitor to listen', () => canConnect(monPort));
      return { monitor, monitorPort: monPort };
    } catch (error) {
      await killDaemon(monitor);
      const taken = error instanceof DaemonExitedError && portWasTaken(dir, monitor);
      if (!taken || attempt === BIND_ATTEMPTS) {
        throw new Error(`${messageOf(error)}\n${cephLog(dir, [monitor])}`, { cause: error });
      }
    }
  }
}

async function startGatewayOnFreePort(confPath: string, deadline: number) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const gateway = launchGateway(confPath, port);
    try {
      await untilGatewayAnswers(gateway, port, deadline);
      return { port, gateway };
    } catch (error) {
      await killDaemon(gateway);
      if (!(error instanceof PortTakenError) || attempt === BIND_ATTEMPTS) throw error;
    }
  }
}

function launchGateway(confPath: string, port: number): CephDaemon {
  const frontends = `beast endpoint=127.0.0.1:${port}`;
  return launchCephDaemon('/usr/bin/radosgw', 'client.rgw', [
    '-c',
    confPath,
    '-n',
    'client.rgw',
    '--rgw_frontends',
    frontends,
  ]);
}

/** The first start creates RGW's pools, which takes most of the fixture's start time. */
async function untilGatewayAnswers(gateway: CephDaemon, port: number, deadline: number): Promise<void> {
  try {
    await until(deadline, gateway, 'radosgw to answer HTTP', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return true;
    });
  } catch (error) {
    if (error instanceof DaemonExitedError && /Address already in use|\(98\)/.test(gateway.stderr())) {
      throw new PortTakenError(`port ${port} is taken`);
    }
    throw error;
  }
}

/** The pools radosgw creates on its first bucket and first object, named as Ceph 16 names them. */
const BUCKET_POOLS = ['default.rgw.buckets.index', 'default.rgw.buckets.data', 'default.rgw.buckets.non-ec'];

/**
 * radosgw creates the bucket pools lazily, inside the first request that needs them, and a
 * new pool's placement groups take seconds to peer on a busy machine (2–5 s seen with two
 * `yes` beside the suite): a test's first PUT then outlives its timeout. Creating the pools
 * here, and writing one object into each so that their placement groups are active, moves
 * that wait into the fixture's start, which has a deadline of its own.
 */
async function prepareBucketPools(
  confPath: string,
  ceph: (...args: string[]) => Promise<string>,
): Promise<void> {
  const rados = (...args: string[]) =>
    runCommand('/usr/bin/rados', ['-c', confPath, ...args], { timeoutMs: COMMAND_TIMEOUT_MS });
  await Promise.all(
    BUCKET_POOLS.map(async (pool) => {
      await ceph('osd', 'pool', 'create', pool);
      await ceph('osd', 'pool', 'application', 'enable', pool, 'rgw');
      // A write waits until the pool's placement groups are active, which a create does not.
      await rados('-p', pool, 'put', 'vigil-test-ready', '/dev/null');
      await rados('-p', pool, 'rm', 'vigil-test-ready');
    }),
  );
}

/**
 * The ceph CLI asks the monitor for its command list before every command. On a loaded machine
 * (seen at a load of 20 on 2 cores, with two fixtures starting side by side) the monitor
 * sometimes refuses that with EPERM; nothing has been sent yet, so trying again is safe.
 */
async function cephCommand(confPath: string, deadline: number, args: readonly string[]): Promise<string> {
  for (;;) {
    try {
      return await runCommand(CEPH, ['-c', confPath, '--connect-timeout', '10', ...args], {
        timeoutMs: COMMAND_TIMEOUT_MS,
      });
    } catch (error) {
      if (!/problem getting command descriptions/.test(messageOf(error)) || Date.now() > deadline)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }
}

class DaemonExitedError extends Error {}

/** Polls check until it returns true, the daemon exits or the deadline passes. Check errors mean "not yet". */
async function until(
  deadline: number,
  daemon: CephDaemon,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    if (daemon.hasExited()) throw new DaemonExitedError(`${daemon.name} exited while waiting for ${what}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    const settle = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
}

function portWasTaken(dir: string, daemon: CephDaemon): boolean {
  const text = daemon.stderr() + readTail(join(dir, 'log', `${daemon.name}.log`), 50);
  return /Address already in use|\(98\)/.test(text);
}

async function killDaemon(daemon: CephDaemon): Promise<void> {
  if (daemon.hasExited()) return;
  // Memstore keeps nothing worth a clean shutdown, and SIGTERM makes an OSD linger for seconds.
  daemon.child.kill('SIGKILL');
  await daemon.exited;
}

function cephLog(dir: string, daemons: readonly CephDaemon[]): string {
  return daemons
    .map((daemon) => {
      const file = readTail(join(dir, 'log', `${daemon.name}.log`), 40);
      return `--- ${daemon.name} log ---\n${file}\n--- ${daemon.name} stderr ---\n${daemon.stderr()}`;
    })
    .join('\n');
}

function readTail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  const tail = new LogTail(lines);
  tail.write(readFileSync(path, 'utf8'));
  return tail.text();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
