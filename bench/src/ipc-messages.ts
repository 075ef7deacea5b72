/**
 * What the bench and a measured child process (a gateway, or a holder of bare ssh2 sessions)
 * say to each other over Node's IPC channel. The child measures itself, so figures are never
 * skewed by the bench's own heap or event loop.
 */
import { getHeapSpaceStatistics } from 'node:v8';

export type ParentMessage =
  /** Start with this raw config (validated by the child with the gateway's own schema). */
  | { type: 'start'; config: Record<string, unknown>; logFile: string }
  /** Collect garbage, then report memory. */
  | { type: 'memory'; id: number }
  | { type: 'cpu'; id: number }
  /**
   * RSS and the young generation's share of it, read without collecting garbage: a forced
   * collection would put off the memory reducer this query is used to wait for.
   */
  | { type: 'resident'; id: number }
  /** ssh2 holder only: open this many more idle sessions, then answer `held`. */
  | { type: 'hold'; id: number; count: number; concurrency: number }
  /** ssh2 holder only: close every session held, then answer `held`. */
  | { type: 'release'; id: number }
  /**
   * ssh2 holder only: a keepalive on every held session each `intervalMs` on the gateway's
   * heartbeat ticks (0 stops them), then answer `held`. The machine's floor for heartbeat CPU.
   */
  | { type: 'keepalive'; id: number; intervalMs: number }
  /** Gateway only: the event loop's delay since the last such query (then reset). */
  | { type: 'loop-delay'; id: number }
  /** Gateway only: start V8's CPU profiler, or stop it and write the profile to `path`. */
  | { type: 'profile-start'; id: number }
  | { type: 'profile-stop'; id: number; path: string }
  /** Gateway only: write a V8 heap snapshot to `path`. */
  | { type: 'heap-snapshot'; id: number; path: string }
  | { type: 'stop'; id: number };

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /**
   * Resident bytes of V8's young generation (new space). After a full GC it holds nothing, but
   * V8 keeps its pages until its memory reducer runs: scratch room, part of `rss`.
   */
  youngGeneration: number;
  /** Sessions the child holds at the time (the gateway's registry size). */
  sessions: number;
}

/** How late the event loop ran (perf_hooks' monitorEventLoopDelay), in milliseconds. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface CpuSample {
  /** process.cpuUsage(), microseconds. */
  user: number;
  system: number;
  /** performance.now() in the child when it was taken, so IPC delay does not skew a rate. */
  at: number;
}

export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; id: number; sample: MemorySample }
  | { type: 'cpu'; id: number; sample: CpuSample }
  | { type: 'resident'; id: number; rss: number; youngGeneration: number }
  | { type: 'held'; id: number; sessions: number }
  | { type: 'profiled'; id: number }
  | { type: 'loop-delay'; id: number; delay: LoopDelay }
  | { type: 'stopped'; id: number }
  | { type: 'failed'; message: string };

/** Full GCs until the heap stops shrinking (at most five), so memory is what is really held. */
async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the measured child needs --expose-gc');
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    gc();
    // Let finalizers and weak callbacks run between collections.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const used = process.memoryUsage().heapUsed;
    if (used >= last * 0.999) break;
    last = used;
  }
}

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.physical_space_size ?? 0;
}

function memorySample(sessions: number): MemorySample {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return {
    rss,
    heapUsed,
    heapTotal,
    external,
    arrayBuffers,
    youngGeneration: youngGenerationBytes(),
    sessions,
  };
}

function cpuSample(): CpuSample {
  const { user, system } = process.cpuUsage();
  return { user, system, at: performance.now() };
}

/** The queries both measured children answer alike; `sessions` says how many it holds now. */
async function answerShared(message: ParentMessage, sessions: () => number): Promise<boolean> {
  switch (message.type) {
    case 'memory':
      await collectGarbage();
      reply({ type: 'memory', id: message.id, sample: memorySample(sessions()) });
      return true;
    case 'cpu':
      reply({ type: 'cpu', id: message.id, sample: cpuSample() });
      return true;
    case 'resident':
      reply({
        type: 'resident',
        id: message.id,
        rss: process.memoryUsage.rss(),
        youngGeneration: youngGenerationBytes(),
      });
      return true;
    default:
      return false;
  }
}

/** Sends a message to the bench. */
export function reply(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * A child's side of the channel: memory, resident and CPU queries are answered here,
 * the rest go to `handle`; a failure is reported to the bench rather than thrown, and the child exits
 * when the bench goes away (it must never outlive it).
 */
export function serveParent(handle: (message: ParentMessage) => Promise<void>, sessions: () => number): void {
  process.on('message', (message: ParentMessage) => {
    answerShared(message, sessions)
      .then((answered) => (answered ? undefined : handle(message)))
      .catch((error: unknown) => {
        reply({
          type: 'failed',
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      });
  });
  process.on('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
}
