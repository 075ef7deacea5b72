/**
 * `pnpm bench`: measures each figure against its baseline in the same run, prints the table and
 * writes bench/results.md. Exits non-zero if a measurement errored or lost bytes (a missed goal
 * is reported, not an error).
 *
 * Compiled with tsc to bench/dist rather than run through a TypeScript loader (Node 20 cannot
 * strip types): the gateway children must run exactly as production does, as plain JS with no
 * loader hooks in the measured process, and it needs no dependency beyond the repo's TypeScript.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import { FIGURE_NAMES, type FigureName, settingsFrom } from './bench-settings.js';
import { browserRender } from './browser-render.js';
import { attempt, type BenchContext, type Figure, type FigureModule } from './figure.js';
import { forwardedAttach } from './forwarded-attach.js';
import { heartbeatCpu } from './heartbeat-cpu.js';
import { heartbeatFidelity } from './heartbeat-fidelity.js';
import { keystrokeLatency } from './keystroke-latency.js';
import { loadAverageNow, machineDetails } from './machine-details.js';
import { memoryPerSession } from './memory-per-session.js';
import { formatTable, writeResults } from './results-report.js';
import { mergeRuns } from './run-ranges.js';
import { sessionsPerReplica } from './sessions-per-replica.js';
import { throughput } from './throughput.js';

const MODULES: Record<FigureName, FigureModule> = {
  throughput,
  'keystroke-latency': keystrokeLatency,
  'memory-per-session': memoryPerSession,
  'heartbeat-cpu': heartbeatCpu,
  'heartbeat-fidelity': heartbeatFidelity,
  'browser-render': browserRender,
  'forwarded-attach': forwardedAttach,
  'sessions-per-replica': sessionsPerReplica,
};

/**
 * A bench that hangs is a failure too: every part has its own deadline, this is the last resort.
 * Per run of the whole set: a full run takes about 20 minutes on a 2-core machine; the cluster's
 * figures added 13 more on one loaded to a load average of 20–30.
 */
const RUN_LIMIT_MS = 50 * 60_000;

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<number> {
  const settings = settingsFrom(process.env, process.argv.slice(2));
  const startedAt = performance.now();
  const runDir = join(BENCH_DIR, '.runs', new Date().toISOString().replaceAll(':', '-'));
  await mkdir(runDir, { recursive: true });
  // The test user streams payload files from here; bench/ itself may not be readable to it.
  const sharedDir = await mkdtemp(join(tmpdir(), 'vigil-bench-'));
  await chmod(sharedDir, 0o755);
  const machine = await machineDetails(settings.chromium);
  log(
    `vigil bench (${settings.quick ? 'quick' : 'full'}, ${settings.runs} run(s)): ` +
      `${settings.only.join(', ')}; logs in ${runDir}`,
  );

  const runs: Figure[][] = [];
  let sshd: SshdFixture | undefined;
  try {
    // Sessions are opened many at a time; OpenSSH's default MaxStartups (10:30:100) would drop some.
    sshd = await startSshd({ extraConfig: [`MaxStartups ${4 * settings.openConcurrency}:30:1000`] });
    for (let run = 1; run <= settings.runs; run++) {
      // Each run its own log directory, so a gateway's log of run 2 does not overwrite run 1's.
      const context: BenchContext = {
        settings,
        sshd,
        runDir: settings.runs > 1 ? join(runDir, `run-${run}`) : runDir,
        sharedDir,
        log,
      };
      await mkdir(context.runDir, { recursive: true });
      machine.loadAverages.push(loadAverageNow());
      const figures: Figure[] = [];
      runs.push(figures);
      for (const name of settings.only) {
        log(`== ${name}${settings.runs > 1 ? ` (run ${run} of ${settings.runs})` : ''}`);
        const moduleStartedAt = performance.now();
        const rows = await attempt(name, '—', () => MODULES[name](context));
        for (const row of rows) log(`  ${row.figure}: ${row.vigil} vs ${row.baseline} → ${row.verdict}`);
        log(`  (${((performance.now() - moduleStartedAt) / 1000).toFixed(0)} s)`);
        figures.push(...rows);
      }
    }
  } catch (error) {
    runs.push([
      {
        figure: 'bench set-up',
        vigil: '—',
        baseline: '—',
        ratio: '—',
        goal: '—',
        verdict: 'failed',
        notes: error instanceof Error ? error.message : String(error),
      },
    ]);
  } finally {
    await sshd?.stop();
    await rm(sharedDir, { recursive: true, force: true });
  }

  const figures = mergeRuns(runs);
  const seconds = (performance.now() - startedAt) / 1000;
  process.stdout.write(`\n${formatTable(figures)}\n\n`);
  // Only a full run replaces bench/results.md; a quick or partial one leaves it and reports in its run dir.
  const complete = !settings.quick && settings.only.length === FIGURE_NAMES.length;
  await writeResults(join(runDir, 'results.md'), machine, settings, figures, seconds);
  const resultsPath = complete ? join(BENCH_DIR, 'results.md') : join(runDir, 'results.md');
  if (complete) await writeResults(resultsPath, machine, settings, figures, seconds);
  const failed = figures.filter((f) => f.verdict === 'failed');
  const missed = figures.filter((f) => f.verdict === 'miss');
  log(`wrote ${resultsPath} (${Math.round(seconds)} s)`);
  log(`${failed.length} failed, ${missed.length} goal(s) missed, ${figures.length} figures`);
  return failed.length > 0 ? 1 : 0;
}

// Exit through process.exit so the sshd fixture's exit hook removes its listener and keys.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));
const wholeLimitMs = RUN_LIMIT_MS * settingsFrom(process.env, process.argv.slice(2)).runs;
setTimeout(() => {
  log(`the bench ran past ${wholeLimitMs / 60_000} minutes; giving up`);
  process.exit(1);
}, wholeLimitMs).unref();

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
