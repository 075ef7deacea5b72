import type { Pool } from 'pg';
import { migrationsAfter } from '../migrations.js';

/** Any number, the same in every replica: the key of the lock that makes migrating one at a time. */
const MIGRATION_LOCK = 0x76_69_67_69; // "vigi"

/**
 * Brings the shared database to this code's schema. Replicas starting together take turns on a
 * transaction-scoped advisory lock, so each step runs exactly once; the steps and their version
 * rows commit together, so a crash leaves the database at a whole version.
 */
export async function migratePostgres(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS vigil_schema (
         version INTEGER PRIMARY KEY,
         description TEXT NOT NULL,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM vigil_schema',
    );
    for (const step of migrationsAfter(rows[0]?.version ?? 0)) {
      await client.query(step.postgres);
      await client.query('INSERT INTO vigil_schema (version, description) VALUES ($1, $2)', [
        step.version,
        step.description,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
