import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchCluster, type StatementTimes, startBenchCluster } from './cluster-harness.js';
import {
  attempt,
  type BenchContext,
  type Figure,
  type FigureModule,
  judge,
  ms,
  ratioText,
} from './figure.js';
import { startGateway } from './gateway-harness.js';
import { type Curve, GOAL_KIB, gatewayCurve, idleNote, perSession } from './memory-per-session.js';

const MiB = 1024 * 1024;
/** The gateway's default lease (cluster.leaseSeconds 10), renewed every third of it. */
const RENEW_EVERY_MS = 10_000 / 3;
/** Renewals timed with no sessions and with all of them. */
const RENEWALS = 3;
/** How the gateway's statements begin (storage/shared/postgres-cluster-state.ts). */
const STATEMENTS = {
  renewal: 'WITH renewed AS',
  directoryAdd: 'INSERT INTO live_sessions',
  ownedCount: 'SELECT count(*) AS n FROM live_sessions',
} as const;

/**
 * The database's own timing of the replica's next `RENEWALS` lease renewals (planning plus
 * execution, pg_stat_statements), from now. Read there rather than from a log line the gateway
 * would write: it is the replica's very statement on its own rows, with nothing changed in it,
 * and leaves out only the loopback round trip and the arrays' transfer.
 */
async function nextRenewals(cluster: BenchCluster): Promise<StatementTimes> {
  await cluster.resetStatementTimes();
  const limitMs = 2 * RENEWALS * RENEW_EVERY_MS + 10_000;
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    await sleep(500);
    const times = await cluster.statementTimes(STATEMENTS.renewal);
    if (times !== undefined && times.calls >= RENEWALS) return times;
  }
  throw new Error(`fewer than ${RENEWALS} lease renewals within ${(limitMs / 1000).toFixed(0)} s`);
}

interface ClusterReadings {
  curve: Curve;
  idleRenewals: StatementTimes;
  fullRenewals: StatementTimes;
  /** While the sessions opened: the directory's insert and the per-person count before each open. */
  directoryAdd: StatementTimes | undefined;
  ownedCount: StatementTimes | undefined;
}

async function clusterReplica(context: BenchContext, count: number): Promise<ClusterReadings> {
  const cluster = await startBenchCluster(context);
  try {
    const replica = await cluster.replica('replica-sessions');
    let idleRenewals: StatementTimes | undefined;
    let fullRenewals: StatementTimes | undefined;
    let directoryAdd: StatementTimes | undefined;
    let ownedCount: StatementTimes | undefined;
    try {
      const curve = await gatewayCurve(context, replica, [count], async (held) => {
        if (held === 0) {
          idleRenewals = await nextRenewals(cluster);
          // From here on, the statements of the opening.
          await cluster.resetStatementTimes();
          return;
        }
        directoryAdd = await cluster.statementTimes(STATEMENTS.directoryAdd);
        ownedCount = await cluster.statementTimes(STATEMENTS.ownedCount);
        fullRenewals = await nextRenewals(cluster);
      });
      if (!idleRenewals || !fullRenewals) throw new Error('the renewals were not timed');
      return { curve, idleRenewals, fullRenewals, directoryAdd, ownedCount };
    } finally {
      await replica.stop();
    }
  } finally {
    await cluster.stop();
  }
}

async function localGateway(context: BenchContext, count: number): Promise<Curve> {
  const gateway = await startGateway(context, 'replica-sessions-local');
  try {
    return await gatewayCurve(context, gateway, [count]);
  } finally {
    await gateway.stop();
  }
}

const times = (t: StatementTimes | undefined) =>
  t === undefined ? 'not seen' : `mean ${ms(t.meanMs)}, max ${ms(t.maxMs)} over ${t.calls}`;

function rows(count: number, concurrency: number, cluster: ClusterReadings, local: Curve): Figure[] {
  const v = perSession(cluster.curve, count);
  const d = perSession(local, count);
  const total = cluster.curve.at.get(count)!;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  // V8 gives its young generation back only in an idle spell, which a replica's renewals and
  // sweeps may never leave it: without that scratch room, what the sessions themselves hold.
  const lessYoung = (curve: Curve) => {
    const [at, empty] = [curve.at.get(count)!, curve.empty];
    return (at.rss - at.youngGeneration - (empty.rss - empty.youngGeneration)) / count / 1024;
  };
  const rate = (curve: Curve) => count / curve.openSeconds.get(count)!;
  const renewal = cluster.fullRenewals;
  const perSessionUs = ((renewal.meanMs - cluster.idleRenewals.meanMs) / count) * 1000;
  return [
    {
      figure: `Sessions per replica: memory per idle session in cluster mode, ${count} sessions`,
      vigil: `${v.rss.toFixed(1)} KiB RSS, ${v.heap.toFixed(1)} KiB heap`,
      baseline: `${d.rss.toFixed(1)} KiB RSS, ${d.heap.toFixed(1)} KiB heap (one process, no database)`,
      ratio: ratioText(v.rss, d.rss),
      goal: `≤ ${GOAL_KIB} KiB RSS`,
      ...judge(v.rss, '≤', GOAL_KIB),
      notes:
        `replica RSS ${mib(cluster.curve.empty.rss)} idle → ${mib(total.rss)}, heap ` +
        `${mib(cluster.curve.empty.heapUsed)} → ${mib(total.heapUsed)}; less V8's young generation ` +
        `${lessYoung(cluster.curve).toFixed(1)} KiB RSS per session (without a database ` +
        `${lessYoung(local).toFixed(1)}); off-heap (Buffers) ` +
        `${v.offHeap.toFixed(1)} KiB per session (without a database ${d.offHeap.toFixed(1)}); replica sampled ` +
        `${idleNote(cluster.curve, count, v.freshRss)}; without a database ${idleNote(local, count, d.freshRss)}`,
    },
    {
      figure: `Sessions per replica: lease renewal with ${count} sessions`,
      vigil: `${ms(renewal.meanMs)} (max ${ms(renewal.maxMs)})`,
      baseline: `${ms(cluster.idleRenewals.meanMs)} (no sessions)`,
      ratio: ratioText(renewal.meanMs, cluster.idleRenewals.meanMs),
      goal: 'no goal set',
      verdict: 'info',
      notes:
        `one statement renews the lease and writes every session's byte counts (UPDATE … FROM unnest), ` +
        `every ${(RENEW_EVERY_MS / 1000).toFixed(1)} s: ${perSessionUs.toFixed(1)} µs per session; ` +
        `mean of ${renewal.calls} renewals (${cluster.idleRenewals.calls} without sessions) as PostgreSQL ` +
        'timed them (pg_stat_statements, planning + execution, no round trip); the database on this ' +
        "machine's disk with fsync on, on the same 2 cores as the gateway and its sshd",
    },
    {
      figure: `Sessions per replica: sessions opened per second, ${count} sessions`,
      vigil: `${rate(cluster.curve).toFixed(1)} sessions/s`,
      baseline: `${rate(local).toFixed(1)} sessions/s (no directory)`,
      ratio: ratioText(rate(cluster.curve), rate(local)),
      goal: 'no goal set',
      verdict: 'info',
      notes:
        `${concurrency} opening at a time, each to its prompt; in cluster mode each ` +
        `open also counts the person's sessions (${times(cluster.ownedCount)}) and adds the session ` +
        `to the directory (${times(cluster.directoryAdd)}, executing, each commit's flush on top); the rate is bound by ` +
        "the SSH handshakes on this machine's 2 cores, shared with the sshd",
    },
  ];
}

/**
 * Figure: what sessions cost a replica in cluster mode, against a gateway without a database:
 * memory per idle session, the lease renewal that writes all of their counts, and the open rate.
 */
export const sessionsPerReplica: FigureModule = (context) =>
  attempt('Sessions per replica', `≤ ${GOAL_KIB} KiB RSS`, async () => {
    const count = context.settings.replicaSessions;
    const local = await localGateway(context, count);
    const cluster = await clusterReplica(context, count);
    return rows(count, context.settings.openConcurrency, cluster, local);
  });
