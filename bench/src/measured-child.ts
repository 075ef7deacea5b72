import { type ChildProcess, fork } from 'node:child_process';
import type { SshdFixture } from '@vigil/test-sshd';
import type { SshLogin } from './direct-shell.js';
import type { ChildMessage, CpuSample, LoopDelay, MemorySample, ParentMessage } from './ipc-messages.js';

const START_TIMEOUT_MS = 20_000;
const QUERY_TIMEOUT_MS = 30_000;

type Reply = Extract<ChildMessage, { id: number }>;
type Request = Extract<ParentMessage, { id: number }>;

/**
 * A child process the bench measures (gateway-process.js or ssh-holder-process.js), run with
 * --expose-gc and queried over IPC. A crash or a `failed` message rejects whatever is waiting.
 */
export class MeasuredChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (m: Reply) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') this.fail(new Error(`measured child failed: ${message.message}`));
      else if ('id' in message) this.waiting.get(message.id)?.resolve(message);
    });
    child.once('exit', (code, signal) => this.fail(new Error(`measured child exited (${signal ?? code})`)));
  }

  static async start(script: URL, start: Extract<ParentMessage, { type: 'start' }>): Promise<MeasuredChild> {
    const child = fork(script, [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the measured child did not start in time')),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message.port);
        }
        if (message.type === 'failed')
          reject(new Error(`measured child failed to start: ${message.message}`));
      });
      child.once('exit', (code) => reject(new Error(`measured child exited while starting (${code})`)));
      child.send(start);
      timer.unref();
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return new MeasuredChild(child, port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  private fail(error: Error) {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  private ask<T extends Request['type']>(
    type: T,
    fields: Omit<Extract<Request, { type: T }>, 'type' | 'id'>,
    timeoutMs = QUERY_TIMEOUT_MS,
  ): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the measured child did not answer "${type}" in time`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (message) => {
          clearTimeout(timer);
          this.waiting.delete(id);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ ...fields, type, id });
    });
  }

  /** Memory after full garbage collections. */
  async memory(): Promise<MemorySample> {
    const reply = await this.ask('memory', {});
    if (reply.type !== 'memory') throw new Error(`expected a memory sample, got ${reply.type}`);
    return reply.sample;
  }

  /** RSS and V8's young generation, read without a garbage collection. */
  async resident(): Promise<{ rss: number; youngGeneration: number }> {
    const reply = await this.ask('resident', {});
    if (reply.type !== 'resident') throw new Error(`expected resident sizes, got ${reply.type}`);
    return reply;
  }

  async cpu(): Promise<CpuSample> {
    const reply = await this.ask('cpu', {});
    if (reply.type !== 'cpu') throw new Error(`expected a CPU sample, got ${reply.type}`);
    return reply.sample;
  }

  /** Gateway only: event-loop delay since the previous call. */
  async loopDelay(): Promise<LoopDelay> {
    const reply = await this.ask('loop-delay', {});
    if (reply.type !== 'loop-delay') throw new Error(`expected a loop delay, got ${reply.type}`);
    return reply.delay;
  }

  /** ssh2 holder only: opens `count` more idle sessions; resolves with how many it holds. */
  async hold(count: number, concurrency: number, timeoutMs: number): Promise<number> {
    const reply = await this.ask('hold', { count, concurrency }, timeoutMs);
    if (reply.type !== 'held') throw new Error(`expected "held", got ${reply.type}`);
    return reply.sessions;
  }

  /** ssh2 holder only: closes every session it holds. */
  async release(): Promise<void> {
    const reply = await this.ask('release', {});
    if (reply.type !== 'held') throw new Error(`expected "held", got ${reply.type}`);
  }

  /** ssh2 holder only: keepalives on every held session each `intervalMs` (0: none). */
  async keepalive(intervalMs: number): Promise<void> {
    const reply = await this.ask('keepalive', { intervalMs });
    if (reply.type !== 'held') throw new Error(`expected "held", got ${reply.type}`);
  }

  /** Gateway only: V8's CPU profiler around `measure`, written to `path` (a .cpuprofile for Chrome DevTools). */
  async profile<T>(path: string, measure: () => Promise<T>): Promise<T> {
    await this.ask('profile-start', {});
    try {
      return await measure();
    } finally {
      await this.ask('profile-stop', { path });
    }
  }

  /** Gateway only: a V8 heap snapshot (open it in Chrome DevTools, Memory tab). */
  async heapSnapshot(path: string): Promise<void> {
    await this.ask('heap-snapshot', { path }, 120_000);
  }

  /** Asks the child to close and exit; kills it if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.ask('stop', {}).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** CPU time between two samples as a share of one core (1 = one core busy all the time). */
export function coreShare(from: CpuSample, to: CpuSample): number {
  const cpuMicros = to.user - from.user + (to.system - from.system);
  return cpuMicros / ((to.at - from.at) * 1000);
}

/** A holder of bare ssh2 sessions to `sshd` (ssh-holder-process.ts): the baselines' process. */
export function startSshHolder(sshd: SshdFixture): Promise<MeasuredChild> {
  const login: SshLogin = {
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKey: sshd.privateKey,
    hostKeys: sshd.hostKeys,
  };
  return MeasuredChild.start(new URL('./ssh-holder-process.js', import.meta.url), {
    type: 'start',
    config: { ...login },
    logFile: '',
  });
}
