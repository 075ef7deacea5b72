import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchClient } from './bench-client.js';
import type { SshLogin } from './direct-shell.js';
import { attempt, type BenchContext, type Figure, type FigureModule, ratioText, verdict } from './figure.js';
import { startGateway, TARGETS } from './gateway-harness.js';
import type { MemorySample } from './ipc-messages.js';
import { MeasuredChild } from './measured-child.js';
import { closeSessions, openIdleSessions } from './session-pool.js';

const KiB = 1024;
const GOAL_KIB = 100;
/** Time for the last prompts, health pushes and timers of freshly opened sessions to pass. */
const SETTLE_MS = 3_000;
/**
 * Sessions opened and closed before the empty measurement, so code loaded and compiled on first
 * use (ssh2's crypto, the recorder, the audit statements) is in the baseline, not in "per session".
 */
const WARM_UP_SESSIONS = 10;
const OPEN_TIMEOUT_PER_SESSION_MS = 1_000;

interface Curve {
  empty: MemorySample;
  at: Map<number, MemorySample>;
}

/** Gateway memory with 0 and then each count of idle sessions (default config, a client on each). */
async function gatewayCurve(context: BenchContext, counts: number[]): Promise<Curve> {
  const { sshd, settings } = context;
  const gateway = await startGateway(context, 'memory');
  const clients: BenchClient[] = [];
  const snapshot = async (count: number) => {
    if (settings.heapSnapshot) {
      await gateway.child.heapSnapshot(join(context.runDir, `memory-${count}-sessions.heapsnapshot`));
    }
  };
  try {
    const warmUp = await openIdleSessions(
      gateway.wsUrl,
      TARGETS.default,
      sshd,
      WARM_UP_SESSIONS,
      settings.openConcurrency,
      context.log,
    );
    await closeSessions(warmUp);
    await sleep(SETTLE_MS);
    const empty = await gateway.child.memory();
    await snapshot(0);
    if (empty.sessions !== 0) throw new Error(`the gateway still holds ${empty.sessions} warm-up sessions`);
    const at = new Map<number, MemorySample>();
    for (const count of counts) {
      const more = await openIdleSessions(
        gateway.wsUrl,
        TARGETS.default,
        sshd,
        count - clients.length,
        settings.openConcurrency,
        context.log,
      );
      clients.push(...more);
      await sleep(SETTLE_MS);
      const sample = await gateway.child.memory();
      if (sample.sessions !== count)
        throw new Error(`the gateway holds ${sample.sessions} sessions, not ${count}`);
      at.set(count, sample);
      await snapshot(count);
    }
    return { empty, at };
  } finally {
    await closeSessions(clients);
    await gateway.stop();
  }
}

/** The same sessions held by bare ssh2 clients in a process of their own. */
async function ssh2Curve(context: BenchContext, counts: number[]): Promise<Curve> {
  const { sshd, settings } = context;
  const login: SshLogin = {
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKey: sshd.privateKey,
    hostKeys: sshd.hostKeys,
  };
  const holder = await MeasuredChild.start(new URL('./ssh-holder-process.js', import.meta.url), {
    type: 'start',
    config: { ...login },
    logFile: '',
  });
  try {
    await holder.hold(WARM_UP_SESSIONS, settings.openConcurrency, 60_000);
    await holder.release();
    await sleep(SETTLE_MS);
    const empty = await holder.memory();
    const at = new Map<number, MemorySample>();
    let held = 0;
    for (const count of counts) {
      const startedAt = performance.now();
      held = await holder.hold(
        count - held,
        settings.openConcurrency,
        count * OPEN_TIMEOUT_PER_SESSION_MS + 60_000,
      );
      context.log(
        `    ${count} bare ssh2 sessions open in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
      );
      await sleep(SETTLE_MS);
      at.set(count, await holder.memory());
    }
    return { empty, at };
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

function perSession(curve: Curve, count: number) {
  const sample = curve.at.get(count)!;
  const each = (key: keyof MemorySample) => (sample[key] - curve.empty[key]) / count / KiB;
  return { rss: each('rss'), heap: each('heapUsed'), offHeap: each('external') };
}

/** Figure 3: gateway memory per idle session (RSS and V8 heap after GC) against bare ssh2's. */
export const memoryPerSession: FigureModule = (context) =>
  attempt('Memory per idle session', `≤ ${GOAL_KIB} KiB RSS`, async () => {
    const counts = context.settings.memorySessions;
    const vigil = await gatewayCurve(context, counts);
    const direct = await ssh2Curve(context, counts);
    return counts.map((count, i): Figure => {
      const v = perSession(vigil, count);
      const d = perSession(direct, count);
      const total = vigil.at.get(count)!;
      const mib = (bytes: number) => `${(bytes / KiB / KiB).toFixed(1)} MiB`;
      const previous = counts[i - 1];
      const step = previous === undefined ? '' : `; ${stepNote(vigil, direct, previous, count)}`;
      return {
        figure: `Memory per idle session, ${count} sessions`,
        vigil: `${v.rss.toFixed(1)} KiB RSS, ${v.heap.toFixed(1)} KiB heap`,
        baseline: `${d.rss.toFixed(1)} KiB RSS, ${d.heap.toFixed(1)} KiB heap`,
        ratio: ratioText(v.rss, d.rss),
        goal: `≤ ${GOAL_KIB} KiB RSS`,
        verdict: verdict(v.rss <= GOAL_KIB),
        notes:
          `gateway RSS ${mib(vigil.empty.rss)} idle → ${mib(total.rss)}, heap ${mib(vigil.empty.heapUsed)} → ` +
          `${mib(total.heapUsed)} (V8 reserved ${mib(vigil.empty.heapTotal)} → ${mib(total.heapTotal)}); off-heap (Buffers) ${v.offHeap.toFixed(1)} KiB per session ` +
          `(bare ssh2 ${d.offHeap.toFixed(1)})${step}; peer: OpenSSH sshd (the fixture, MaxStartups raised)`,
      };
    });
  });
