import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchClient } from './bench-client.js';
import { attempt, type BenchContext, type Figure, type FigureModule, judge, ratioText } from './figure.js';
import { type GatewayUnderBench, startGateway, TARGETS } from './gateway-harness.js';
import type { MemorySample } from './ipc-messages.js';
import { type MeasuredChild, startSshHolder } from './measured-child.js';
import { closeSessions, openIdleSessions } from './session-pool.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Goal for the RSS an idle session adds, in one process or on a replica of a cluster. */
export const GOAL_KIB = 100;
/** Time for the last prompts, health pushes and timers of freshly opened sessions to pass. */
const SETTLE_MS = 3_000;
/**
 * A young generation this small has been given back by V8's memory reducer: it was 3–26 MiB
 * resident 3 s after sessions opened, and 0.3–2 MiB once the reducer had run.
 */
const REDUCED_YOUNG_GENERATION = 2 * MiB;
/** Bound on the wait for the memory reducer (in the gateway it acted 13–49 s after a burst). */
const IDLE_TIMEOUT_MS = 60_000;
const IDLE_POLL_MS = 1_000;
/** RSS that has not fallen by more than this over IDLE_STEADY_POLLS polls is done falling. */
const IDLE_STEADY_BYTES = 256 * KiB;
const IDLE_STEADY_POLLS = 5;
/**
 * Sessions opened and closed before the empty measurement, so code loaded and compiled on first
 * use (ssh2's crypto, the recorder, the audit statements) is in the baseline, not in "per session".
 */
const WARM_UP_SESSIONS = 10;
const OPEN_TIMEOUT_PER_SESSION_MS = 1_000;

interface IdleSample extends MemorySample {
  /** How long after the sessions opened the sample was taken. */
  idleAfterMs: number;
  /** False when IDLE_TIMEOUT_MS ran out first (the figure then counts pages V8 still kept). */
  steady: boolean;
}

export interface Curve {
  empty: IdleSample;
  at: Map<number, IdleSample>;
  /** The same counts SETTLE_MS after opening, before V8 gave back its young generation. */
  fresh: Map<number, MemorySample>;
  /** Seconds it took to open the sessions that brought the child to each count. */
  openSeconds: Map<number, number>;
}

/**
 * Memory as an idle child holds it. Opening sessions allocates fast, so V8 grows its young
 * generation (up to two 16 MiB semi-spaces) and keeps those pages resident, empty, after a full
 * GC; only its memory reducer, some seconds into a quiet spell, gives them back. Sampled during
 * that spell, RSS charges the scratch room of the burst to each session (about 50 KiB each at 100
 * sessions): a figure of how fast sessions were just opened, not of what they hold. The reducer
 * and the allocator go on handing back pages for a while after, so idle also means RSS has
 * stopped falling.
 */
async function idleSample(child: MeasuredChild, openedAt: number): Promise<IdleSample> {
  const recentRss: number[] = [];
  let steady = false;
  while (!steady && performance.now() - openedAt < IDLE_TIMEOUT_MS) {
    await sleep(IDLE_POLL_MS);
    const { rss, youngGeneration } = await child.resident();
    recentRss.push(rss);
    if (recentRss.length > IDLE_STEADY_POLLS) recentRss.shift();
    steady =
      youngGeneration <= REDUCED_YOUNG_GENERATION &&
      recentRss.length === IDLE_STEADY_POLLS &&
      recentRss[0]! - rss <= IDLE_STEADY_BYTES;
  }
  return { ...(await child.memory()), idleAfterMs: performance.now() - openedAt, steady };
}

/**
 * Samples `child` with none and then each count of idle sessions, SETTLE_MS after opening
 * (`fresh`) and when idle. `open` adds sessions and returns how many the child now holds;
 * `sampled` runs after each idle sample (so a heap snapshot does not inflate the figures).
 */
async function curve(
  child: MeasuredChild,
  counts: number[],
  open: (more: number) => Promise<number>,
  sampled: (count: number) => Promise<void> = async () => {},
): Promise<Curve> {
  const empty = await idleSample(child, performance.now());
  if (empty.sessions !== 0) throw new Error(`the child still holds ${empty.sessions} warm-up sessions`);
  await sampled(0);
  const result: Curve = { empty, at: new Map(), fresh: new Map(), openSeconds: new Map() };
  let held = 0;
  for (const count of counts) {
    const openingAt = performance.now();
    held = await open(count - held);
    const openedAt = performance.now();
    result.openSeconds.set(count, (openedAt - openingAt) / 1000);
    await sleep(SETTLE_MS);
    result.fresh.set(count, await child.memory());
    const sample = await idleSample(child, openedAt);
    if (sample.sessions !== count || held !== count) {
      throw new Error(`the child holds ${sample.sessions} sessions, not ${count}`);
    }
    result.at.set(count, sample);
    await sampled(count);
  }
  return result;
}

/**
 * `gateway`'s memory with 0 and then each count of idle sessions, a client on each, after a
 * warm-up; `sampled` runs after each sample, while those sessions are still open.
 */
export async function gatewayCurve(
  context: BenchContext,
  gateway: GatewayUnderBench,
  counts: number[],
  sampled?: (count: number) => Promise<void>,
): Promise<Curve> {
  const { sshd, settings } = context;
  const clients: BenchClient[] = [];
  const open = (count: number) =>
    openIdleSessions(gateway.wsUrl, TARGETS.default, sshd, count, settings.openConcurrency, context.log);
  try {
    await closeSessions(await open(WARM_UP_SESSIONS));
    const addSessions = async (more: number) => {
      clients.push(...(await open(more)));
      return clients.length;
    };
    return await curve(gateway.child, counts, addSessions, sampled);
  } finally {
    await closeSessions(clients);
  }
}

/** The default config's memory curve, with a heap snapshot after each sample when asked for. */
async function defaultGatewayCurve(context: BenchContext, counts: number[]): Promise<Curve> {
  const gateway = await startGateway(context, 'memory');
  const snapshot = async (count: number) => {
    if (!context.settings.heapSnapshot) return;
    await gateway.child.heapSnapshot(join(context.runDir, `memory-${count}-sessions.heapsnapshot`));
  };
  try {
    return await gatewayCurve(context, gateway, counts, snapshot);
  } finally {
    await gateway.stop();
  }
}

/** The same sessions held by bare ssh2 clients in a process of their own. */
async function ssh2Curve(context: BenchContext, counts: number[]): Promise<Curve> {
  const { sshd, settings } = context;
  const holder = await startSshHolder(sshd);
  const addSessions = async (more: number) => {
    const startedAt = performance.now();
    const timeoutMs = more * OPEN_TIMEOUT_PER_SESSION_MS + 60_000;
    const held = await holder.hold(more, settings.openConcurrency, timeoutMs);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    context.log(`    ${held} bare ssh2 sessions open in ${seconds} s`);
    return held;
  };
  try {
    await holder.hold(WARM_UP_SESSIONS, settings.openConcurrency, 60_000);
    await holder.release();
    return await curve(holder, counts, addSessions);
  } finally {
    await holder.stop();
  }
}

/** Memory each extra session adds between two counts: fixed costs cancel. */
function marginal(curve: Curve, from: number, to: number): { rss: number; heap: number } {
  const a = curve.at.get(from)!;
  const b = curve.at.get(to)!;
  return { rss: (b.rss - a.rss) / (to - from) / KiB, heap: (b.heapUsed - a.heapUsed) / (to - from) / KiB };
}

function stepNote(vigil: Curve, direct: Curve, from: number, to: number): string {
  const v = marginal(vigil, from, to);
  const d = marginal(direct, from, to);
  return (
    `each session from ${from} to ${to} added ${v.rss.toFixed(1)} KiB RSS, ${v.heap.toFixed(1)} KiB heap ` +
    `(bare ssh2 ${d.rss.toFixed(1)}, ${d.heap.toFixed(1)})`
  );
}

/** What each of `count` idle sessions adds to the empty child, in KiB. */
export function perSession(curve: Curve, count: number) {
  const sample = curve.at.get(count)!;
  const each = (key: keyof MemorySample) => (sample[key] - curve.empty[key]) / count / KiB;
  const freshRss = (curve.fresh.get(count)!.rss - curve.empty.rss) / count / KiB;
  return { rss: each('rss'), heap: each('heapUsed'), offHeap: each('external'), freshRss };
}

/** When the idle sample was taken, and what RSS said before V8 gave its scratch room back. */
export function idleNote(curve: Curve, count: number, freshRssPerSession: number): string {
  const idle = curve.at.get(count)!;
  const fresh = curve.fresh.get(count)!;
  const mib = (bytes: number) => (bytes / MiB).toFixed(1);
  const when = (sample: IdleSample, after: string) =>
    `${(sample.idleAfterMs / 1000).toFixed(0)} s after ${after}${sample.steady ? '' : ' (RSS NOT yet steady)'}`;
  return (
    `idle ${when(idle, 'opening')}, young generation ${mib(idle.youngGeneration)} MiB ` +
    `(empty: ${when(curve.empty, 'the warm-up')}, ${mib(curve.empty.youngGeneration)} MiB; ` +
    `${SETTLE_MS / 1000} s after opening, with ${mib(fresh.youngGeneration)} MiB: ` +
    `${freshRssPerSession.toFixed(1)} KiB RSS per session)`
  );
}

/** Figure 3: gateway memory per idle session (RSS and V8 heap after GC) against bare ssh2's. */
export const memoryPerSession: FigureModule = (context) =>
  attempt('Memory per idle session', `≤ ${GOAL_KIB} KiB RSS`, async () => {
    const counts = context.settings.memorySessions;
    const vigil = await defaultGatewayCurve(context, counts);
    const direct = await ssh2Curve(context, counts);
    return counts.map((count, i): Figure => {
      const v = perSession(vigil, count);
      const d = perSession(direct, count);
      const total = vigil.at.get(count)!;
      const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
      const previous = counts[i - 1];
      const step = previous === undefined ? '' : `; ${stepNote(vigil, direct, previous, count)}`;
      return {
        figure: `Memory per idle session, ${count} sessions`,
        vigil: `${v.rss.toFixed(1)} KiB RSS, ${v.heap.toFixed(1)} KiB heap`,
        baseline: `${d.rss.toFixed(1)} KiB RSS, ${d.heap.toFixed(1)} KiB heap`,
        ratio: ratioText(v.rss, d.rss),
        goal: `≤ ${GOAL_KIB} KiB RSS`,
        ...judge(v.rss, '≤', GOAL_KIB),
        notes:
          `gateway RSS ${mib(vigil.empty.rss)} idle → ${mib(total.rss)}, heap ${mib(vigil.empty.heapUsed)} → ` +
          `${mib(total.heapUsed)} (V8 reserved ${mib(vigil.empty.heapTotal)} → ${mib(total.heapTotal)}); off-heap (Buffers) ${v.offHeap.toFixed(1)} KiB per session ` +
          `(bare ssh2 ${d.offHeap.toFixed(1)})${step}; gateway sampled ${idleNote(vigil, count, v.freshRss)}; ` +
          `bare ssh2 ${idleNote(direct, count, d.freshRss)}; peer: OpenSSH sshd (the fixture, MaxStartups raised)`,
      };
    });
  });
