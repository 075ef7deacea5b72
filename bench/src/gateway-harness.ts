import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from './figure.js';
import { MeasuredChild } from './measured-child.js';

/** The targets every bench gateway offers: the fixture sshd with default heartbeats, off, or every second. */
export const TARGETS = {
  /** The gateway's defaults (ServerAliveInterval 15). */
  default: 'bench',
  heartbeatsOff: 'bench-heartbeats-off',
  heartbeatsEverySecond: 'bench-heartbeats-1s',
} as const;
export type TargetName = (typeof TARGETS)[keyof typeof TARGETS];

export interface GatewayUnderBench {
  url: string;
  wsUrl: string;
  child: MeasuredChild;
  logFile: string;
  /** The gateway's dataDir (recordings, audit database). */
  dataDir: string;
  /** Bytes the gateway has written under its dataDir so far (recordings, audit). */
  dataBytes(): Promise<number>;
  /** The child's peak resident memory so far (VmHWM), in bytes. */
  peakRss(): Promise<number>;
  /** The event-loop thread's scheduler times so far: on a CPU, and runnable but waiting for one. */
  schedule(): Promise<ThreadSchedule>;
  /**
   * Runs `measure`; with VIGIL_BENCH_CPU_PROF=1, under V8's CPU profiler, written to
   * bench/.runs/<run>/<label>-<window>.cpuprofile (open it in Chrome DevTools).
   */
  profile<T>(window: string, measure: () => Promise<T>): Promise<T>;
  /** Stops the child and deletes its dataDir: a flood's recording runs to gigabytes. */
  stop(): Promise<void>;
}

async function directoryBytes(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.size;
  const entries = await readdir(path);
  const sizes = await Promise.all(entries.map((entry) => directoryBytes(join(path, entry))));
  return sizes.reduce((sum, size) => sum + size, 0);
}

export interface ThreadSchedule {
  onCpuSeconds: number;
  waitingSeconds: number;
}

/** /proc/PID/task/PID/schedstat: nanoseconds on a CPU, nanoseconds waiting in a run queue, slices. */
async function scheduleOf(pid: number): Promise<ThreadSchedule> {
  const [onCpu, waiting] = (await readFile(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'))
    .split(' ')
    .map(Number);
  return { onCpuSeconds: (onCpu ?? 0) / 1e9, waitingSeconds: (waiting ?? 0) / 1e9 };
}

async function peakRssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(status.match(/^VmHWM:\s*(\d+) kB$/m)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no VmHWM for pid ${pid}`);
  return kib * 1024;
}

/**
 * A gateway child process in front of the bench's sshd, with the gateway's default config except
 * for `overrides` (top-level keys); `label` names its log, data and profile files.
 */
export async function startGateway(
  context: BenchContext,
  label: string,
  overrides: Record<string, unknown> = {},
): Promise<GatewayUnderBench> {
  const { sshd, runDir, settings } = context;
  const dataDir = join(runDir, `${label}-data`);
  await mkdir(dataDir, { recursive: true });
  const target = {
    host: sshd.host,
    port: sshd.port,
    hostKeys: { pins: sshd.hostKeys.map((k) => k.publicKey) },
  };
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    dataDir,
    targets: [
      { name: TARGETS.default, ...target },
      { name: TARGETS.heartbeatsOff, ...target, ssh: { ServerAliveInterval: 0 } },
      { name: TARGETS.heartbeatsEverySecond, ...target, ssh: { ServerAliveInterval: 1 } },
    ],
    ...overrides,
  };
  const logFile = join(runDir, `${label}-gateway.log`);
  const child = await MeasuredChild.start(new URL('./gateway-process.js', import.meta.url), {
    type: 'start',
    config,
    logFile,
  });
  context.log(`  gateway ${label}: pid ${child.pid}, port ${child.port}, log ${logFile}`);
  return {
    url: `http://127.0.0.1:${child.port}`,
    wsUrl: `ws://127.0.0.1:${child.port}/ws`,
    child,
    logFile,
    dataDir,
    dataBytes: () => directoryBytes(dataDir),
    peakRss: () => peakRssOf(child.pid),
    schedule: () => scheduleOf(child.pid),
    profile: (window, measure) =>
      settings.cpuProfile ? child.profile(join(runDir, `${label}-${window}.cpuprofile`), measure) : measure(),
    async stop() {
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
