import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { LegHealth } from '@vigil/protocol';
import { BenchClient, type BenchIdentity, openBenchSession } from './bench-client.js';
import { startBenchCluster } from './cluster-harness.js';
import { alternatingEchoes, echoSpread, startEcho } from './echo-round-trip.js';
import {
  attempt,
  type BenchContext,
  type Figure,
  type FigureModule,
  judge,
  ms,
  ratioText,
  signedMs,
} from './figure.js';
import { type GatewayUnderBench, TARGETS } from './gateway-harness.js';
import { busyCores, machineTicks } from './machine-load.js';
import { type PayloadRun, streamPayload } from './marked-payload.js';
import { coreShare } from './measured-child.js';
import { percentile } from './percentiles.js';

const MiB = 1024 * 1024;
/** docs/scale-out.md: the hop may add this much to a typed key's echo at the median. */
const ECHO_GOAL_MS = 0.3;
/** …and must carry this share of what a page attached to the owner gets. */
const THROUGHPUT_GOAL_RATIO = 0.9;

/** The two replicas: `owner` holds every session, `relay` only carries pages to it over the hop. */
interface Replicas {
  owner: GatewayUnderBench;
  relay: GatewayUnderBench;
  /** One person (one identity cookie), so the relay may attach to the owner's sessions. */
  identity: BenchIdentity;
}

/**
 * A session opened on the owner, then attached through the relay as a reload the balancer sends
 * to another replica would be: the relayed page takes the session over from the opener's.
 */
async function relayedSession(context: BenchContext, { owner, relay, identity }: Replicas) {
  const opener = await openBenchSession(owner.wsUrl, TARGETS.default, context.sshd, identity);
  const relayed = await BenchClient.connect(relay.wsUrl, identity);
  try {
    await relayed.attach(opener.sessionId!);
  } catch (error) {
    await relayed.close();
    await opener.close();
    throw error;
  }
  await opener.closed;
  if (opener.fatal?.code !== 'SESSION_TAKEN_OVER') {
    await relayed.close();
    throw new Error(`the opener's page was not taken over: ${opener.fatal?.code ?? 'no error'}`);
  }
  return relayed;
}

const loadNow = () => loadavg()[0]!.toFixed(1);

/**
 * Echo round trips of a page relayed through the other replica against one attached to the owner.
 * Two sessions on the owner, side by side, rather than one session attached directly and through
 * the relay by turns: an attach through the relay takes the session over from the direct page, so
 * turns would re-route, replay and set the hop up again before every block, and the first keys
 * after each would time that. Two sessions on one owner, one sshd and the same shell leave the
 * hop as the only difference between the paths.
 */
async function forwardedEcho(context: BenchContext, replicas: Replicas): Promise<Figure[]> {
  const { settings, sshd } = context;
  const streams: BenchClient[] = [];
  let relayedRtts: number[];
  let directRtts: number[];
  let lastHop: LegHealth | undefined;
  const startLoad = loadNow();
  let machine = '';
  try {
    streams.push(await openBenchSession(replicas.owner.wsUrl, TARGETS.default, sshd, replicas.identity));
    streams.push(await relayedSession(context, replicas));
    const [direct, relayed] = streams as [BenchClient, BenchClient];
    relayed.onHealth = ({ hop }) => {
      lastHop = hop ?? lastHop;
    };
    await Promise.all([startEcho(direct), startEcho(relayed)]);
    const before = await machineTicks();
    [relayedRtts, directRtts] = await alternatingEchoes([relayed, direct], settings.keystrokes);
    machine = busyCores(before, await machineTicks(), cpus().length).toFixed(2);
    const refused = streams.flatMap((client) => client.errors);
    if (refused.length > 0) throw new Error(`a replica refused: ${refused.join('; ')}`);
  } finally {
    await Promise.all(streams.map((client) => client.close()));
  }
  const hopRtt = lastHop?.rttP50Ms === undefined ? 'none reported' : ms(lastHop.rttP50Ms);
  return (['p50', 'p99'] as const).map((which): Figure => {
    const q = which === 'p50' ? 50 : 99;
    const v = percentile(relayedRtts, q);
    const d = percentile(directRtts, q);
    return {
      figure: `Keystroke echo ${which} through a forwarded attach (${settings.keystrokes} keys)`,
      vigil: `${ms(v)} (${signedMs(v - d)})`,
      baseline: `${ms(d)} (attached to the owner)`,
      ratio: ratioText(v, d),
      ...(which === 'p50'
        ? { goal: `≤ +${ECHO_GOAL_MS} ms`, ...judge(v - d, '≤', ECHO_GOAL_MS) }
        : { goal: 'no goal set', verdict: 'info' as const }),
      notes:
        which === 'p50'
          ? `machine ${machine} of ${cpus().length} cores busy, load average ${startLoad} at the start`
          : `relayed ${echoSpread(relayedRtts)}; direct ${echoSpread(directRtts)}; ` +
            `the hop's own round trip as the owner measures it (WebSocket pings), p50 ${hopRtt}; ` +
            'two sessions on the owner, one attached to it, one through the other replica',
    };
  });
}

interface ThroughputSide {
  name: string;
  /** Names its CPU profiles. */
  slug: string;
  connect: () => Promise<BenchClient>;
  runs: PayloadRun[];
  /** Each run's CPU of the owner and the relay, and the machine's busy cores. */
  ownerCores: number[];
  relayCores: number[];
  machineCores: number[];
}

async function throughputRun(context: BenchContext, side: ThroughputSide, replicas: Replicas, bytes: number) {
  const client = await side.connect();
  try {
    const [owner, relay] = await Promise.all([replicas.owner.child.cpu(), replicas.relay.child.cpu()]);
    const machine = await machineTicks();
    // With VIGIL_BENCH_CPU_PROF=1 both replicas are profiled: where the relay's share of the CPU goes.
    const window = `${side.slug}-run${side.runs.length + 1}`;
    const measure = () => streamPayload(client, '/dev/zero', bytes, { kind: 'zeros' });
    side.runs.push(await replicas.owner.profile(window, () => replicas.relay.profile(window, measure)));
    side.ownerCores.push(coreShare(owner, await replicas.owner.child.cpu()));
    side.relayCores.push(coreShare(relay, await replicas.relay.child.cpu()));
    side.machineCores.push(busyCores(machine, await machineTicks(), cpus().length));
  } finally {
    await client.close();
  }
  const last = side.runs.at(-1)!;
  context.log(`  ${side.name}: ${(last.bytes / MiB / last.seconds).toFixed(1)} MiB/s`);
}

function rate(side: ThroughputSide): number {
  const bytes = side.runs.reduce((sum, run) => sum + run.bytes, 0);
  return bytes / MiB / side.runs.reduce((sum, run) => sum + run.seconds, 0);
}

function perRun(side: ThroughputSide): string {
  const list = (values: number[], digits: number) => values.map((v) => v.toFixed(digits)).join(', ');
  const rates = side.runs.map((run) => run.bytes / MiB / run.seconds);
  return (
    `${list(rates, 0)} MiB/s (owner ${list(side.ownerCores, 2)} cores, relay ${list(side.relayCores, 2)} ` +
    `cores, machine ${list(side.machineCores, 2)} cores)`
  );
}

/** `head -c` of /dev/zero read through the relay against the same read from a page attached to the owner. */
async function forwardedThroughput(context: BenchContext, replicas: Replicas): Promise<Figure[]> {
  const { settings, sshd } = context;
  const bytes = settings.zeroMiB * MiB;
  const side = (name: string, slug: string, connect: () => Promise<BenchClient>): ThroughputSide => ({
    name,
    slug,
    connect,
    runs: [],
    ownerCores: [],
    relayCores: [],
    machineCores: [],
  });
  const direct = side('attached to the owner', 'direct', () =>
    openBenchSession(replicas.owner.wsUrl, TARGETS.default, sshd, replicas.identity),
  );
  const relayed = side('through the other replica', 'relayed', () => relayedSession(context, replicas));
  const startLoad = loadNow();
  for (let run = 0; run < settings.throughputRuns; run++) {
    // ABBA, so warm-up and drift cancel.
    for (const next of run % 2 === 0 ? [direct, relayed] : [relayed, direct]) {
      await throughputRun(context, next, replicas, bytes);
    }
  }
  const ratio = rate(relayed) / rate(direct);
  return [
    {
      figure: `Output throughput through a forwarded attach, /dev/zero (${settings.zeroMiB} MiB)`,
      vigil: `${rate(relayed).toFixed(1)} MiB/s`,
      baseline: `${rate(direct).toFixed(1)} MiB/s (attached to the owner)`,
      ratio: ratioText(rate(relayed), rate(direct)),
      goal: `≥ ${THROUGHPUT_GOAL_RATIO.toFixed(2)}× direct`,
      ...judge(ratio, '≥', THROUGHPUT_GOAL_RATIO),
      notes:
        `relayed ${perRun(relayed)}; direct ${perRun(direct)}; load average ${startLoad} at the start; ` +
        'the owner records both; every byte counted and checked',
    },
  ];
}

/**
 * Figures of the internal hop: two replicas in cluster mode on one PostgreSQL, every session on
 * the owner, pages attached to it directly or relayed through the other replica.
 */
export const forwardedAttach: FigureModule = async (context) => {
  const cluster = await startBenchCluster(context);
  const started: GatewayUnderBench[] = [];
  try {
    started.push(await cluster.replica('hop-owner'));
    started.push(await cluster.replica('hop-relay'));
    const [owner, relay] = started as [GatewayUnderBench, GatewayUnderBench];
    const replicas = {
      owner,
      relay,
      identity: { cookie: `vigil_client=${randomBytes(16).toString('base64url')}` },
    };
    const echo = await attempt('Keystroke echo through a forwarded attach', `≤ +${ECHO_GOAL_MS} ms`, () =>
      forwardedEcho(context, replicas),
    );
    const throughput = await attempt(
      'Output throughput through a forwarded attach',
      `≥ ${THROUGHPUT_GOAL_RATIO.toFixed(2)}× direct`,
      () => forwardedThroughput(context, replicas),
    );
    return [...echo, ...throughput];
  } finally {
    await Promise.all(started.map((gateway) => gateway.stop()));
    await cluster.stop();
  }
};
