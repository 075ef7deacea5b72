import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { openBenchSession } from './bench-client.js';
import { DirectShell } from './direct-shell.js';
import { attempt, type BenchContext, type Figure, type FigureModule, judge, ratioText } from './figure.js';
import { type GatewayUnderBench, startGateway, TARGETS } from './gateway-harness.js';
import { busyCores, machineTicks } from './machine-load.js';
import { type PayloadCheck, type PayloadRun, streamPayload } from './marked-payload.js';
import { coreShare } from './measured-child.js';
import { OpenSshShell } from './openssh-shell.js';
import type { TerminalStream } from './terminal-stream.js';

const MiB = 1024 * 1024;
/** Against `ssh -tt`: what a person would otherwise run. */
const GOAL_RATIO = 0.9;
const GOAL = `≥ ${GOAL_RATIO.toFixed(2)}× ssh -tt`;

/** A file of random bytes the test user can read, and its SHA-256: every side streams the same bytes. */
async function randomFile(dir: string, bytes: number): Promise<{ path: string; digest: string }> {
  const path = join(dir, `random-${bytes}.bin`);
  const hash = createHash('sha256');
  const file = await open(path, 'w', 0o644);
  try {
    for (let written = 0; written < bytes; written += MiB) {
      const chunk = randomBytes(Math.min(MiB, bytes - written));
      hash.update(chunk);
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  return { path, digest: hash.digest('hex') };
}

interface Side {
  name: string;
  gateway: GatewayUnderBench | undefined;
  /** A side without a gateway: how its client connects. */
  connect?: () => Promise<TerminalStream>;
  runs: PayloadRun[];
  /** The gateway process's CPU during each run, in cores. */
  gatewayCores: number[];
  /** The bench process's own CPU (the client: WebSocket or ssh2, and the byte checks), in cores. */
  benchCores: number[];
  /** The whole machine's busy cores during each run: at the core count, the run was CPU-bound. */
  machineCores: number[];
  /** Average WebSocket frame of each gateway run, in bytes (one frame per ssh2 data chunk). */
  frameBytes: number[];
}

function mibPerSecond(side: Side): number {
  const bytes = side.runs.reduce((sum, r) => sum + r.bytes, 0);
  const seconds = side.runs.reduce((sum, r) => sum + r.seconds, 0);
  return bytes / MiB / seconds;
}

async function runOnce(
  context: BenchContext,
  side: Side,
  source: string,
  bytes: number,
  check: PayloadCheck,
) {
  const { gateway } = side;
  const client = gateway ? await openBenchSession(gateway.wsUrl, TARGETS.default, context.sshd) : undefined;
  const stream: TerminalStream = client ?? (await side.connect!());
  try {
    const before = await gateway?.child.cpu();
    const benchBefore = process.cpuUsage();
    const machineBefore = await machineTicks();
    const startedAt = performance.now();
    const measure = () => streamPayload(stream, source, bytes, check);
    side.runs.push(await (gateway ? gateway.profile(`run${side.runs.length + 1}`, measure) : measure()));
    const benchUsed = process.cpuUsage(benchBefore);
    side.benchCores.push((benchUsed.user + benchUsed.system) / ((performance.now() - startedAt) * 1000));
    side.machineCores.push(busyCores(machineBefore, await machineTicks(), cpus().length));
    if (gateway && before) side.gatewayCores.push(coreShare(before, await gateway.child.cpu()));
    if (client) side.frameBytes.push(client.received / client.frames);
  } finally {
    await stream.close();
  }
  const last = side.runs.at(-1)!;
  context.log(`  ${side.name}: ${(last.bytes / MiB / last.seconds).toFixed(1)} MiB/s`);
}

const list = (values: number[], digits: number) => values.map((v) => v.toFixed(digits)).join(', ');

function perRun(side: Side): string {
  const rates = side.runs.map((r) => r.bytes / MiB / r.seconds);
  return `${list(rates, 0)} MiB/s (bench ${list(side.benchCores, 2)} cores, machine ${list(side.machineCores, 2)} cores)`;
}

function notes(side: Side, perRunData: number, peakRss: number): string {
  return (
    `runs ${perRun(side)}; gateway ${list(side.gatewayCores, 2)} cores, ` +
    `${list(
      side.frameBytes.map((b) => b / 1024),
      1,
    )} KiB per WebSocket frame, ` +
    `wrote ${(perRunData / MiB).toFixed(0)} MiB to its dataDir per run, peak RSS ${(peakRss / MiB).toFixed(0)} MiB`
  );
}

async function measurePayload(
  context: BenchContext,
  /** Names the figure; `slug` names the gateway's log and profile files. */
  label: string,
  slug: string,
  source: string,
  bytes: number,
  check: PayloadCheck,
): Promise<Figure[]> {
  const side = (name: string): Side => ({
    name: `${label} ${name}`,
    gateway: undefined,
    runs: [],
    gatewayCores: [],
    benchCores: [],
    machineCores: [],
    frameBytes: [],
  });
  const openssh = { ...side('ssh -tt'), connect: () => OpenSshShell.open(context.sshd, context.sharedDir) };
  // Bare ssh2, the gateway's own client library: tells the relay's cost from ssh2's.
  const direct = { ...side('direct ssh2'), connect: () => DirectShell.open(context.sshd) };
  const vigil = side('vigil');
  // The gateway's default config records every session to disk; the same gateway without
  // recording shows what the relay alone costs.
  const bare = side('vigil, recordings off');
  const sides = [openssh, direct, vigil, bare];
  const dataBytes = new Map<Side, number>();
  const peakRss = new Map<Side, number>();
  try {
    vigil.gateway = await startGateway(context, `throughput-${slug}`);
    bare.gateway = await startGateway(context, `throughput-${slug}-no-recording`, {
      recordings: { enabled: false },
    });
    for (let run = 0; run < context.settings.throughputRuns; run++) {
      // Forward in even runs, backward in odd ones (ABBA), so warm-up and drift cancel.
      for (const side of run % 2 === 0 ? sides : [...sides].reverse()) {
        await runOnce(context, side, source, bytes, check);
      }
    }
    for (const side of [vigil, bare]) {
      dataBytes.set(side, (await side.gateway!.dataBytes()) / side.runs.length);
      peakRss.set(side, await side.gateway!.peakRss());
    }
  } finally {
    await vigil.gateway?.stop();
    await bare.gateway?.stop();
  }
  const row = (side: Side, against: Side, isGoal: boolean): Figure => {
    const rate = mibPerSecond(side);
    const baseRate = mibPerSecond(against);
    const extra = side === bare ? ', recordings off' : against === direct ? ', against bare ssh2' : '';
    return {
      figure: `Output throughput, ${label} (${bytes / MiB} MiB)${extra}`,
      vigil: `${rate.toFixed(1)} MiB/s`,
      baseline: `${baseRate.toFixed(1)} MiB/s (${against === openssh ? 'ssh -tt' : 'bare ssh2'})`,
      ratio: ratioText(rate, baseRate),
      goal: isGoal ? GOAL : 'diagnostic',
      ...(isGoal ? judge(rate / baseRate, '≥', GOAL_RATIO) : { verdict: 'info' as const }),
      notes:
        `${notes(side, dataBytes.get(side) ?? 0, peakRss.get(side) ?? 0)}; ${against.name} ${perRun(against)}` +
        (isGoal ? '; every byte counted and checked on every side' : ''),
    };
  };
  return [row(vigil, openssh, true), row(vigil, direct, false), row(bare, openssh, false)];
}

/** Figure 1: a remote `head -c` through the gateway to a headless client, against `ssh -tt` and bare ssh2. */
export const throughput: FigureModule = async (context) => {
  const { settings, sharedDir } = context;
  const zeroBytes = settings.zeroMiB * MiB;
  const randomBytesCount = settings.randomMiB * MiB;
  const zeros = await attempt(`Output throughput, /dev/zero (${settings.zeroMiB} MiB)`, GOAL, () =>
    measurePayload(context, '/dev/zero', 'zero', '/dev/zero', zeroBytes, { kind: 'zeros' }),
  );
  const random = await attempt(`Output throughput, random (${settings.randomMiB} MiB)`, GOAL, async () => {
    const file = await randomFile(sharedDir, randomBytesCount);
    return measurePayload(context, 'random file', 'random', file.path, randomBytesCount, {
      kind: 'sha256',
      digest: file.digest,
    });
  });
  return [...zeros, ...random];
};
