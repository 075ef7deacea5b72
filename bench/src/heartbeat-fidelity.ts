import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { descendantsOf } from '@vigil/test-sshd';
import type { BenchClient } from './bench-client.js';
import {
  attempt,
  type BenchContext,
  type Figure,
  type FigureModule,
  judge,
  ms,
  ratioText,
} from './figure.js';
import { startGateway, TARGETS, type ThreadSchedule } from './gateway-harness.js';
import { histogramP99, roundTrips, rttBuckets } from './heartbeat-metrics.js';
import type { LoopDelay } from './ipc-messages.js';
import { busyCores, machineTicks } from './machine-load.js';
import { coreShare } from './measured-child.js';
import { percentile } from './percentiles.js';
import { closeSessions, openIdleSessions } from './session-pool.js';

const MiB = 1024 * 1024;
const runCommand = promisify(execFile);
/** How long the flood may overrun its `timeout` (draining what is in flight) before the bench gives up. */
const DRAIN_GRACE_MS = 60_000;

interface Phase {
  rtts: number[];
  /** ssh-leg health messages saying `missed` or `lost`, and idle sessions that ended. */
  falseMisses: number;
}

/**
 * Who gets the CPU. In production the flooding targets are other machines; here their `yes` and
 * sshd processes share 2 cores with the gateway's one event-loop thread. With the kernel's
 * autogroup scheduling every SSH session (sshd calls setsid) is a group of its own, weighed
 * equal to the group holding the gateway, so 50 floods leave the gateway a sliver, whatever its
 * nice value. `targets-niced`: the flooding sessions' autogroups get nice 19, so they run on what
 * the gateway leaves, about as if they were elsewhere. `same-priority`: all groups weigh the same.
 * `gateway-real-time`: the gateway's thread is SCHED_RR and runs whenever it is runnable.
 */
type CpuShare = 'targets-niced' | 'same-priority' | 'gateway-real-time';

interface FidelityRun {
  share: CpuShare;
  quiet: Phase;
  flood: Phase;
  floodBytes: number;
  floodFrames: number;
  floodSeconds: number;
  histogramP99: string;
  /** Keepalive round trips the gateway recorded during the flood (its /metrics histogram). */
  floodRoundTrips: number;
  loopDelay: LoopDelay;
  peakRss: number;
  /** Gateway process CPU during the flood, in cores: near 1, its one thread was saturated. */
  gatewayCores: number;
  /** The whole machine's: at the core count, the flood's own processes competed with the gateway. */
  machineCores: number;
  /** The gateway's event-loop thread during the flood: far more waiting than running means starved. */
  schedule: ThreadSchedule;
}

/** Records ssh-leg round trips and false alarms of `clients` into whichever phase is current. */
function watch(clients: readonly BenchClient[], current: () => Phase | undefined): void {
  for (const client of clients) {
    let lastRtt: number | undefined;
    client.onHealth = ({ ssh }) => {
      const phase = current();
      if (phase === undefined) return;
      if (ssh.state === 'missed' || ssh.state === 'lost') phase.falseMisses++;
      // A push for a browser-leg change repeats the ssh figures; a new round trip changes them.
      if (ssh.lastRttMs !== undefined && ssh.lastRttMs !== lastRtt) phase.rtts.push(ssh.lastRttMs);
      lastRtt = ssh.lastRttMs;
    };
  }
}

/** Idle sessions heartbeat through a quiet window, then through a window in which the others flood. */
async function fidelityRun(context: BenchContext, label: string, share: CpuShare): Promise<FidelityRun> {
  const { settings, sshd } = context;
  const { floodSessions, idleSessions, floodSeconds } = settings;
  const gateway = await startGateway(context, label);
  // For the pid alone, chrt changes only the main thread: the event loop, the one that matters.
  if (share === 'gateway-real-time')
    await runCommand('chrt', ['--rr', '--pid', '1', String(gateway.child.pid)]);
  const sessions: BenchClient[] = [];
  const quiet: Phase = { rtts: [], falseMisses: 0 };
  const flood: Phase = { rtts: [], falseMisses: 0 };
  let floodBytes = 0;
  try {
    const open = (count: number) =>
      openIdleSessions(
        gateway.wsUrl,
        TARGETS.heartbeatsEverySecond,
        sshd,
        count,
        settings.openConcurrency,
        context.log,
      );
    const idle = await open(idleSessions);
    sessions.push(...idle);
    const before = new Set((await descendantsOf(sshd.pid)).map((entry) => entry.pid));
    const flooders = await open(floodSessions);
    sessions.push(...flooders);
    if (share === 'targets-niced') {
      // Each flooding session's processes (sshd's and the shell, whose autogroup `yes` joins).
      const floodPids = (await descendantsOf(sshd.pid)).filter((entry) => !before.has(entry.pid));
      await Promise.all(floodPids.map((entry) => writeFile(`/proc/${entry.pid}/autogroup`, '19')));
    }
    let phase: Phase | undefined = quiet;
    watch(sessions, () => phase);
    await sleep(floodSeconds * 1000);

    phase = flood;
    const scraped = await rttBuckets(gateway.url);
    await gateway.child.loopDelay();
    const cpuBefore = await gateway.child.cpu();
    const machineBefore = await machineTicks();
    const scheduleBefore = await gateway.schedule();
    const startedAt = performance.now();
    for (const client of flooders) {
      client.onOutput((chunk) => {
        floodBytes += chunk.length;
      });
      // `exec`: when `timeout` ends `yes`, the session ends, which marks the end of its flood.
      client.type(`exec timeout ${floodSeconds} yes\r`);
    }
    const ended = await gateway.profile('flood', () =>
      Promise.race([
        Promise.all(flooders.map((client) => client.closed)).then(() => true),
        sleep(floodSeconds * 1000 + DRAIN_GRACE_MS, false, { ref: false }),
      ]),
    );
    const took = (performance.now() - startedAt) / 1000;
    const gatewayCores = coreShare(cpuBefore, await gateway.child.cpu());
    const machineCores = busyCores(machineBefore, await machineTicks(), cpus().length);
    const scheduleAfter = await gateway.schedule();
    const schedule = {
      onCpuSeconds: scheduleAfter.onCpuSeconds - scheduleBefore.onCpuSeconds,
      waitingSeconds: scheduleAfter.waitingSeconds - scheduleBefore.waitingSeconds,
    };
    const loopDelay = await gateway.child.loopDelay();
    const scrapedAfter = await rttBuckets(gateway.url);
    const p99 = histogramP99(scraped, scrapedAfter);
    const floodRoundTrips = roundTrips(scraped, scrapedAfter);
    phase = undefined;
    if (!ended) throw new Error(`the flood did not end within ${floodSeconds + DRAIN_GRACE_MS / 1000} s`);
    const wrongExit = flooders.find((client) => client.fatal !== undefined || client.exit?.code !== 124);
    if (wrongExit) {
      const how = wrongExit.fatal?.message ?? JSON.stringify(wrongExit.exit);
      throw new Error(`a flooding session ended otherwise than by its timeout: ${how}`);
    }
    flood.falseMisses += idle.filter(
      (client) => client.fatal !== undefined || client.exit !== undefined,
    ).length;
    if (flood.rtts.length === 0 || quiet.rtts.length === 0)
      throw new Error('no heartbeat round trips were reported');
    const peakRss = await gateway.peakRss();
    const floodFrames = flooders.reduce((sum, client) => sum + client.frames, 0);
    return {
      share,
      quiet,
      flood,
      floodBytes,
      floodFrames,
      floodSeconds: took,
      histogramP99: p99,
      floodRoundTrips,
      loopDelay,
      peakRss,
      gatewayCores,
      machineCores,
      schedule,
    };
  } finally {
    await closeSessions(sessions);
    await gateway.stop();
  }
}

const SHARE_WORDS: Record<CpuShare, string> = {
  'targets-niced':
    "flooding sessions' autogroups at nice 19 (as if on their own hosts), gateway at normal priority",
  'same-priority': 'flooding sessions and gateway at the same priority',
  'gateway-real-time': 'flooding sessions at normal priority, gateway thread real-time',
};

function figures(context: BenchContext, run: FidelityRun, variant: string): Figure[] {
  const { floodSessions, idleSessions, floodSeconds } = context.settings;
  const { quiet, flood, loopDelay } = run;
  const diagnostic = variant !== '';
  const floodP99 = percentile(flood.rtts, 99);
  const quietP99 = percentile(quiet.rtts, 99);
  const rate = run.floodBytes / MiB / run.floodSeconds;
  return [
    {
      figure: `Heartbeat false misses, ${idleSessions} idle + ${floodSessions} flooding sessions${variant}`,
      vigil: `${flood.falseMisses} during the flood`,
      baseline: `${quiet.falseMisses} before it`,
      ratio: '—',
      goal: diagnostic ? '0 (diagnostic)' : '0',
      ...(diagnostic ? { verdict: 'info' as const } : judge(flood.falseMisses, '≤', 0)),
      notes:
        `${floodSessions} × \`yes\` for ${floodSeconds} s, ${SHARE_WORDS[run.share]}: ` +
        `${(run.floodBytes / MiB).toFixed(0)} MiB in ` +
        `${run.floodSeconds.toFixed(1)} s (${rate.toFixed(1)} MiB/s through the gateway, acknowledged, ` +
        `${(run.floodBytes / run.floodFrames / 1024).toFixed(1)} KiB per WebSocket frame); ` +
        `gateway event-loop delay p50 ${ms(loopDelay.p50)}, p99 ${ms(loopDelay.p99)}, max ${ms(loopDelay.max)}; ` +
        `gateway ${run.gatewayCores.toFixed(2)} cores, machine ${run.machineCores.toFixed(2)} of ${cpus().length} busy; ` +
        `gateway event loop ${run.schedule.onCpuSeconds.toFixed(1)} s on a CPU, ` +
        `${run.schedule.waitingSeconds.toFixed(1)} s runnable but waiting for one; ` +
        `peak RSS ${(run.peakRss / MiB).toFixed(0)} MiB`,
    },
    {
      // The count varies per run, so it is in the notes: a title is what the runs' ranges are merged by.
      figure: `Heartbeat RTT p99 under that flood${variant}`,
      vigil: ms(floodP99),
      baseline: `${ms(quietP99)} (quiet)`,
      ratio: ratioText(floodP99, quietP99),
      goal: 'no goal set',
      verdict: 'info',
      notes:
        `${run.floodRoundTrips} round trips; ` +
        `p50 ${ms(percentile(flood.rtts, 50))} under flood, ${ms(percentile(quiet.rtts, 50))} quiet; ` +
        `max ${ms(Math.max(...flood.rtts))}; /metrics histogram p99 ${run.histogramP99}; ` +
        `RTTs from ${flood.rtts.length} health messages (${quiet.rtts.length} in the quiet window of the same length)`,
    },
  ];
}

/**
 * Figure 5: false misses and RTT of 1 s heartbeats while other sessions flood, against the quiet
 * window before, with the flooding targets' processes niced as if they ran on their own hosts.
 * Then, to tell causes apart: the same with everything at one priority on this box, and with the
 * gateway's thread ahead of everything.
 */
export const heartbeatFidelity: FigureModule = async (context) => {
  const { floodSessions, idleSessions } = context.settings;
  const title = `Heartbeat false misses, ${idleSessions} idle + ${floodSessions} flooding sessions`;
  const variants = [
    { label: 'heartbeat-fidelity', share: 'targets-niced', variant: '' },
    { label: 'heartbeat-fidelity-same-priority', share: 'same-priority', variant: ', all at one priority' },
    {
      label: 'heartbeat-fidelity-real-time',
      share: 'gateway-real-time',
      variant: ', gateway thread real-time',
    },
  ] as const;
  const rows: Figure[] = [];
  for (const { label, share, variant } of variants) {
    const goal = variant === '' ? '0' : '0 (diagnostic)';
    rows.push(
      ...(await attempt(`${title}${variant}`, goal, async () =>
        figures(context, await fidelityRun(context, label, share), variant),
      )),
    );
  }
  return rows;
};
