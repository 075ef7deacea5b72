/**
 * What the bench and a measured child process (a gateway, or a holder of bare ssh2 sessions)
 * say to each other over Node's IPC channel. The child measures itself, so figures are never
 * skewed by the bench's own heap or event loop.
 */
export type ParentMessage =
  /** Start with this raw config (validated by the child with the gateway's own schema). */
  | { type: 'start'; config: Record<string, unknown>; logFile: string }
  /** Collect garbage, then report memory. */
  | { type: 'memory'; id: number }
  | { type: 'cpu'; id: number }
  /** ssh2 holder only: open this many more idle sessions, then answer `held`. */
  | { type: 'hold'; id: number; count: number; concurrency: number }
  /** ssh2 holder only: close every session held, then answer `held`. */
  | { type: 'release'; id: number }
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
  | { type: 'held'; id: number; sessions: number }
  | { type: 'profiled'; id: number }
  | { type: 'loop-delay'; id: number; delay: LoopDelay }
  | { type: 'stopped'; id: number }
  | { type: 'failed'; message: string };

/** Full GCs until the heap stops shrinking (at most five), so memory is what is really held. */
export async function collectGarbage(): Promise<void> {
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

export function memorySample(sessions: number): MemorySample {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers, sessions };
}

export function cpuSample(): CpuSample {
  const { user, system } = process.cpuUsage();
  return { user, system, at: performance.now() };
}

/** Sends a message to the bench. */
export function reply(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * A child's side of the channel: each request goes to `handle`; a failure is reported to the bench
 * rather than thrown, and the child exits when the bench goes away (it must never outlive it).
 */
export function serveParent(handle: (message: ParentMessage) => Promise<void>): void {
  process.on('message', (message: ParentMessage) => {
    handle(message).catch((error: unknown) => {
      reply({
        type: 'failed',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    });
  });
  process.on('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
}
