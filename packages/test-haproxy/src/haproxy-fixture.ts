import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, LogTail, stopProcess } from '@vigil/test-processes';
import {
  type HaproxyBackend,
  haproxyConfig,
  REPLICAS_BACKEND,
  TUNNEL_TIMEOUT_SECONDS,
} from './haproxy-config.js';
import { assertCanRunHaproxy, HAPROXY } from './requirements.js';
import { runtimeCommand, type ServerState, serverStatuses } from './runtime-api.js';

export interface HaproxyOptions {
  /** The replicas, in the order round-robin visits them first. */
  backends: readonly HaproxyBackend[];
  /** Milliseconds between /readyz checks; two failures take a replica out. @default 500 */
  checkIntervalMs?: number;
  /** Seconds a WebSocket may stay silent before HAProxy cuts it. @default TUNNEL_TIMEOUT_SECONDS (120) */
  tunnelTimeoutSeconds?: number;
}

export interface HaproxyFixture {
  /** `http://127.0.0.1:PORT`, the balancer's front. */
  url: string;
  port: number;
  /** The haproxy process. */
  pid: number;
  /** The temp folder: haproxy.cfg and the runtime API's socket. */
  dir: string;
  /** The `status` column HAProxy shows for a server of the rotation: `UP`, `DOWN`, `MAINT`, `DRAIN`, `UP 1/2`… */
  serverStatus(name: string): Promise<string>;
  /** Resolves once the server's status is `status` (e.g. `DOWN` after its /readyz failed twice). */
  untilServerStatus(name: string, status: string, timeoutMs?: number): Promise<void>;
  /** Puts a server in rotation (`ready`), lets it take no new work (`drain`) or takes it out (`maint`). */
  setServerState(name: string, state: ServerState): Promise<void>;
  /** The last lines of HAProxy's log: one line per request, and every health change. */
  log(): string;
  /** Stops HAProxy (its connections are cut) and removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;
const BIND_ATTEMPTS = 5;

/** haproxy could not bind the port we picked: someone took it meanwhile. */
class PortTakenError extends Error {}

/** Debian's HAProxy on a free 127.0.0.1 port, balancing round-robin over `backends`. */
export async function startHaproxy(options: HaproxyOptions): Promise<HaproxyFixture> {
  await assertCanRunHaproxy();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-haproxy-'));
  const adminSocket = join(dir, 'admin.sock');
  const configPath = join(dir, 'haproxy.cfg');
  const tail = new LogTail();
  let child: ChildProcess | undefined;
  // Told at spawn, before it is ready: so that an exiting test process can kill one still starting.
  let spawned: ChildProcess | undefined;
  // A test run that crashes or forgets stop() must not leave the balancer running.
  const cleanUpAtExit = () => {
    spawned?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUpAtExit);
  const removeDir = async () => {
    await rm(dir, { recursive: true, force: true });
    process.off('exit', cleanUpAtExit);
  };
  try {
    let port = 0;
    for (let attempt = 1; child === undefined; attempt++) {
      port = await freePort();
      const text = haproxyConfig({
        port,
        backends: options.backends,
        adminSocket,
        checkIntervalMs: options.checkIntervalMs ?? 500,
        tunnelTimeoutSeconds: options.tunnelTimeoutSeconds ?? TUNNEL_TIMEOUT_SECONDS,
      });
      await writeFile(configPath, text);
      try {
        child = await launchHaproxy(configPath, adminSocket, tail, (started) => {
          spawned = started;
        });
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt === BIND_ATTEMPTS) throw error;
      }
    }
    const running = child;
    const exited = new Promise<void>((resolve) => {
      if (running.exitCode !== null || running.signalCode !== null) resolve();
      else running.once('exit', () => resolve());
    });
    const statusOf = async (name: string) => {
      const statuses = serverStatuses(await runtimeCommand(adminSocket, 'show stat'), REPLICAS_BACKEND);
      const status = statuses.get(name);
      if (status === undefined) throw new Error(`HAProxy has no server "${name}" in ${REPLICAS_BACKEND}`);
      return status;
    };
    let stopping: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      pid: running.pid ?? 0,
      dir,
      serverStatus: statusOf,
      async untilServerStatus(name, status, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        let last = await statusOf(name);
        while (last !== status) {
          if (Date.now() > deadline) {
            throw new Error(
              `server ${name} is "${last}", not "${status}", after ${timeoutMs} ms\n${tail.text()}`,
            );
          }
          await sleep(POLL_MS);
          last = await statusOf(name);
        }
      },
      async setServerState(name, state) {
        const answer = await runtimeCommand(
          adminSocket,
          `set server ${REPLICAS_BACKEND}/${name} state ${state}`,
        );
        // Success is an empty answer; anything else is HAProxy saying why not.
        if (answer.trim() !== '')
          throw new Error(`HAProxy refused "${name} state ${state}": ${answer.trim()}`);
      },
      log: () => tail.text(),
      stop() {
        // SIGTERM is HAProxy's hard stop; SIGUSR1 would wait for every connection to end.
        stopping ??= stopProcess(running, exited, 'SIGTERM', STOP_TIMEOUT_MS).then(removeDir);
        return stopping;
      },
    };
  } catch (error) {
    spawned?.kill('SIGKILL');
    await removeDir();
    throw error;
  }
}

/**
 * Starts haproxy in the foreground (-db) and resolves once its runtime API answers, which it
 * opens after binding the frontend.
 */
async function launchHaproxy(
  configPath: string,
  adminSocket: string,
  tail: LogTail,
  onSpawn: (child: ChildProcess) => void,
): Promise<ChildProcess> {
  const child = spawn(HAPROXY, ['-db', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  onSpawn(child);
  let closed = false;
  const exited = new Promise<void>((resolve) => {
    // 'close' rather than 'exit': it waits for the last of stderr, which holds the reason.
    child.once('close', () => {
      closed = true;
      resolve();
    });
    child.once('error', (error) => {
      tail.write(`haproxy: ${error.message}\n`);
      closed = true;
      resolve();
    });
  });
  // This start's own lines, until it is up: the tail also holds earlier tries', and later on
  // one line per request.
  const lines: string[] = [];
  let starting = true;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const completed = tail.write(chunk);
    if (starting) lines.push(...completed);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (closed) {
      await exited;
      if (lines.some((line) => /cannot bind socket/.test(line))) throw new PortTakenError('port taken');
      throw new Error(`haproxy exited at start\n${tail.text()}`);
    }
    const answered = await runtimeCommand(adminSocket, 'show info', 1_000).then(
      (answer) => answer.includes('Name: HAProxy'),
      () => false,
    );
    if (answered) {
      starting = false;
      return child;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`haproxy did not open its runtime API within ${START_TIMEOUT_MS} ms\n${tail.text()}`);
    }
    await sleep(POLL_MS);
  }
}
