import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogTail } from '@vigil/test-processes';
import { postgresEnv, runPostgresProgram } from './postgres-env.js';
import type { ServerAccount } from './requirements.js';

export interface PostgresProcess {
  child: ChildProcess;
  /** Settles when the postmaster has exited, whenever that happens; its children exit before it. */
  exited: Promise<void>;
}

export interface LaunchInput {
  binDir: string;
  args: readonly string[];
  port: number;
  account: ServerAccount | undefined;
  /** Shared by every run of one fixture, so log() tells the whole story of a restart test. */
  tail: LogTail;
  timeoutMs: number;
  /** Told the child at once, so an exiting test process can kill a server that is still starting. */
  onSpawn(child: ChildProcess): void;
}

/** postgres could not bind its port because someone else holds it. */
export class PortTakenError extends Error {}

const READY = 'database system is ready to accept connections';
const READY_POLL_MS = 20;

/**
 * Starts the postmaster in the foreground with its log on stderr, and resolves once it says it
 * accepts connections and pg_isready gets an answer over TCP. It is spawned as the server account
 * directly, not through runuser: runuser stays as the parent, and on SIGTERM it waits 2 s and
 * then SIGKILLs the postmaster, which would make every stop slow and leave no clean shutdown.
 */
export async function launchPostgres(input: LaunchInput): Promise<PostgresProcess> {
  const { binDir, args, port, account, tail, timeoutMs, onSpawn } = input;
  const deadline = Date.now() + timeoutMs;
  const child = spawn(join(binDir, 'postgres'), args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: postgresEnv(),
    ...account,
  });
  onSpawn(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let taken = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`postgres did not accept connections within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.once('error', reject);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        const lines = tail.write(chunk);
        // Its own lines only: the tail also holds earlier runs' on the same port.
        if (lines.some((line) => line.includes('Address already in use'))) taken = true;
        if (lines.some((line) => line.includes(READY))) {
          clearTimeout(timer);
          resolve();
        }
      });
      // 'close' rather than 'exit': it waits for the last of stderr, which holds the reason.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (taken) reject(new PortTakenError(`port ${port} is taken`));
        else
          reject(
            new Error(`postgres exited before accepting connections (${signal ?? `exit code ${code}`})`),
          );
      });
    });
    await untilAnswering(binDir, port, deadline);
  } catch (error) {
    // A program that never started (ENOENT) has no pid and may never emit 'exit'.
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (error instanceof PortTakenError) throw error;
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\npostgres log:\n${tail.text()}`,
      {
        cause: error,
      },
    );
  }
  return { child, exited };
}

/** pg_isready until it gets an answer on 127.0.0.1 (exit 0), bounded by the start deadline. */
async function untilAnswering(binDir: string, port: number, deadline: number): Promise<void> {
  for (;;) {
    const seconds = String(Math.max(1, Math.ceil((deadline - Date.now()) / 1000)));
    const args = ['-q', '-h', '127.0.0.1', '-p', String(port), '-t', seconds];
    const answered = await runPostgresProgram(join(binDir, 'pg_isready'), args, {
      timeoutMs: deadline - Date.now(),
    }).then(
      () => true,
      () => false,
    );
    if (answered) return;
    if (Date.now() >= deadline) throw new Error(`pg_isready got no answer on 127.0.0.1:${port}`);
    await sleep(READY_POLL_MS);
  }
}

/**
 * SIGINT is PostgreSQL's "fast" shutdown: it ends the sessions, writes a checkpoint and exits,
 * so the next start needs no recovery. SIGTERM ("smart") would wait for every client to leave.
 */
export async function stopPostgres(server: PostgresProcess, timeoutMs: number): Promise<void> {
  const { child, exited } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  if (await Promise.race([exited.then(() => false), timedOut])) {
    // Its children notice the postmaster's death and exit on their own.
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
