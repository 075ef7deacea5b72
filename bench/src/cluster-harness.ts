import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import pg from 'pg';
import type { BenchContext } from './figure.js';
import { type GatewayUnderBench, startGateway } from './gateway-harness.js';

/**
 * The fixture turns fsync off to make tests fast; a production database flushes every commit,
 * and a session's open writes one, so the bench's database does too. pg_stat_statements lets the
 * bench read the database's own timing of the replicas' statements without touching them.
 */
const PRODUCTION_LIKE = {
  fsync: 'on',
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track_planning': 'on',
};

/** What the database spent on one statement since the last reset: planning plus execution. */
export interface StatementTimes {
  calls: number;
  meanMs: number;
  maxMs: number;
}

export interface BenchCluster {
  db: PostgresFixture;
  /** A gateway child in cluster mode on this database, with the cluster's secret; it joins on its loopback URL. */
  replica(label: string): Promise<GatewayUnderBench>;
  /** Forgets the statement times gathered so far. */
  resetStatementTimes(): Promise<void>;
  /** Times of the statements whose text starts with `prefix` (whitespace as the gateway wrote it). */
  statementTimes(prefix: string): Promise<StatementTimes | undefined>;
  stop(): Promise<void>;
}

/** A PostgreSQL for replicas to share, and the one secret they all need (cluster.secretFile, ≥ 32 bytes). */
export async function startBenchCluster(context: BenchContext): Promise<BenchCluster> {
  const db = await startPostgres({ settings: PRODUCTION_LIKE });
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    await pool.query('CREATE EXTENSION pg_stat_statements');
    const secretFile = join(context.runDir, 'cluster-secret');
    await writeFile(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    context.log(`  PostgreSQL for the replicas: ${db.url}`);
    return {
      db,
      replica: (label) => startGateway(context, label, { cluster: { databaseUrl: db.url, secretFile } }),
      async resetStatementTimes() {
        await pool.query('SELECT pg_stat_statements_reset()');
      },
      async statementTimes(prefix) {
        const { rows } = await pool.query<{ calls: string; mean_ms: number; max_ms: number }>(
          `SELECT sum(calls) AS calls,
                  sum(total_plan_time + total_exec_time) / sum(calls) AS mean_ms,
                  max(max_plan_time + max_exec_time) AS max_ms
           FROM pg_stat_statements WHERE starts_with(query, $1) HAVING sum(calls) > 0`,
          [prefix],
        );
        const row = rows[0];
        return row && { calls: Number(row.calls), meanMs: row.mean_ms, maxMs: row.max_ms };
      },
      async stop() {
        await pool.end();
        await db.stop();
      },
    };
  } catch (error) {
    await pool.end();
    await db.stop();
    throw error;
  }
}
