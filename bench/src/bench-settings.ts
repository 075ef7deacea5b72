/** The figures `pnpm bench` can measure, in the order it measures them. */
export const FIGURE_NAMES = [
  'throughput',
  'keystroke-latency',
  'memory-per-session',
  'heartbeat-cpu',
  'heartbeat-fidelity',
  'browser-render',
  'forwarded-attach',
  'sessions-per-replica',
] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];

/** Sizes of one run. Every one has a `VIGIL_BENCH_*` override; `VIGIL_BENCH_QUICK=1` picks small ones. */
export interface BenchSettings {
  quick: boolean;
  /**
   * Times the whole set runs (`--runs N` or `VIGIL_BENCH_RUNS`); results show each figure's range
   * and the worst run's verdict. @default 3, 1 when quick
   */
  runs: number;
  /** Figures to run (`VIGIL_BENCH_ONLY=throughput,browser-render`). @default all */
  only: readonly FigureName[];
  /** `head -c` of /dev/zero. @default 500 MiB */
  zeroMiB: number;
  /** `head -c` of a pre-generated random file. @default 200 MiB */
  randomMiB: number;
  /** Runs per side and payload, in ABBA order so drift cancels. @default 2 */
  throughputRuns: number;
  /** Measured keystrokes per side (after a warm-up). @default 2000 */
  keystrokes: number;
  /** Session counts at which gateway memory is measured. @default [100, 1000] */
  memorySessions: number[];
  /** Idle sessions whose heartbeats cost CPU. @default 1000 */
  heartbeatSessions: number;
  /** Seconds of CPU measurement per heartbeat setting. @default 20 */
  cpuSeconds: number;
  floodSessions: number;
  idleSessions: number;
  /** Seconds of flood (and of the quiet baseline before it). @default 20 */
  floodSeconds: number;
  /** `seq 1 N` rendered in Chromium. @default 1000000 */
  seqLines: number;
  /** Idle sessions opened on one replica in cluster mode (`VIGIL_BENCH_REPLICA_SESSIONS`). @default 1000 */
  replicaSessions: number;
  /** Ctrl-C presses during `yes`, per renderer and over bare ssh2 (`VIGIL_BENCH_CTRLC_TRIES`). @default 20 */
  ctrlCTries: number;
  /** Sessions opened at once through the gateway: sshd's MaxStartups is raised above this. */
  openConcurrency: number;
  /**
   * `VIGIL_BENCH_CPU_PROF=1`: profile each measurement window in the gateway child (V8's
   * profiler; .cpuprofile files in bench/.runs/). The figures then include the profiler's overhead.
   */
  cpuProfile: boolean;
  /**
   * `VIGIL_BENCH_PAGE_PROF=1`: profile the page's main thread (Chromium's profiler) while it
   * renders `seq`, one .cpuprofile per renderer in bench/.runs/, to see where the page's time goes.
   */
  pageProfile: boolean;
  /**
   * `VIGIL_BENCH_HEAP_SNAPSHOT=1`: a heap snapshot of the gateway after each memory measurement
   * (bench/.runs/). Taking one grows the process, so that run's later RSS figures are inflated.
   */
  heapSnapshot: boolean;
  chromium: string;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return value;
}

function listFrom(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${name}=${raw}: expected positive integers separated by commas`);
  }
  return values.sort((a, b) => a - b);
}

function figuresFrom(env: NodeJS.ProcessEnv): FigureName[] {
  const raw = env.VIGIL_BENCH_ONLY;
  if (raw === undefined || raw === '') return [...FIGURE_NAMES];
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(FIGURE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`VIGIL_BENCH_ONLY: unknown ${unknown.join(', ')}; known: ${FIGURE_NAMES.join(', ')}`);
  }
  return FIGURE_NAMES.filter((name) => names.includes(name));
}

/** `--runs N` on the command line (`pnpm bench --runs 3`) wins over `VIGIL_BENCH_RUNS`. */
function runsFrom(env: NodeJS.ProcessEnv, argv: readonly string[], quick: boolean): number {
  const at = argv.indexOf('--runs');
  const raw = at >= 0 ? argv[at + 1] : env.VIGIL_BENCH_RUNS;
  const runs = numberFrom({ VIGIL_BENCH_RUNS: raw }, 'VIGIL_BENCH_RUNS', quick ? 1 : 3);
  if (!Number.isInteger(runs)) throw new Error(`--runs ${raw}: expected a whole number`);
  return runs;
}

export function settingsFrom(env: NodeJS.ProcessEnv, argv: readonly string[]): BenchSettings {
  const quick = env.VIGIL_BENCH_QUICK === '1';
  return {
    quick,
    runs: runsFrom(env, argv, quick),
    only: figuresFrom(env),
    zeroMiB: numberFrom(env, 'VIGIL_BENCH_ZERO_MIB', quick ? 32 : 500),
    randomMiB: numberFrom(env, 'VIGIL_BENCH_RANDOM_MIB', quick ? 16 : 200),
    throughputRuns: numberFrom(env, 'VIGIL_BENCH_THROUGHPUT_RUNS', quick ? 1 : 2),
    keystrokes: numberFrom(env, 'VIGIL_BENCH_KEYSTROKES', quick ? 300 : 2000),
    memorySessions: listFrom(env, 'VIGIL_BENCH_MEMORY_SESSIONS', quick ? [20, 100] : [100, 1000]),
    heartbeatSessions: numberFrom(env, 'VIGIL_BENCH_HEARTBEAT_SESSIONS', quick ? 100 : 1000),
    cpuSeconds: numberFrom(env, 'VIGIL_BENCH_CPU_SECONDS', quick ? 5 : 20),
    floodSessions: numberFrom(env, 'VIGIL_BENCH_FLOOD_SESSIONS', quick ? 5 : 50),
    idleSessions: numberFrom(env, 'VIGIL_BENCH_IDLE_SESSIONS', quick ? 5 : 50),
    floodSeconds: numberFrom(env, 'VIGIL_BENCH_FLOOD_SECONDS', quick ? 5 : 20),
    seqLines: numberFrom(env, 'VIGIL_BENCH_SEQ_LINES', quick ? 100_000 : 1_000_000),
    replicaSessions: numberFrom(env, 'VIGIL_BENCH_REPLICA_SESSIONS', quick ? 100 : 1000),
    ctrlCTries: numberFrom(env, 'VIGIL_BENCH_CTRLC_TRIES', quick ? 5 : 20),
    openConcurrency: numberFrom(env, 'VIGIL_BENCH_OPEN_CONCURRENCY', 16),
    cpuProfile: env.VIGIL_BENCH_CPU_PROF === '1',
    pageProfile: env.VIGIL_BENCH_PAGE_PROF === '1',
    heapSnapshot: env.VIGIL_BENCH_HEAP_SNAPSHOT === '1',
    chromium: env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
  };
}
