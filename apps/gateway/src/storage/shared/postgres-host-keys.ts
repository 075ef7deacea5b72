import type { Pool, QueryResultRow } from 'pg';
import type { OfferedHostKey } from '../../ssh/host-key-policy.js';
import type { FirstUseKeys } from '../../ssh/host-key-store.js';
import type { KnownHostsEntry } from '../../ssh/known-hosts.js';
import { knownHostsName } from '../../ssh/known-hosts.js';
import { SshFailure } from '../../ssh/ssh-failure.js';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { queryShared } from './shared-query.js';

/**
 * First-use keys in PostgreSQL (the shared side), one row per host, port and key type. The
 * primary key makes the first writer win: a replica that offers a second key of the same type
 * for the same host gets the first one back, which its caller treats as a mismatch.
 */
export class PostgresHostKeys implements FirstUseKeys {
  constructor(private readonly pool: Pool) {}

  /** A database out of reach refuses the new session in the catalogue's terms, before any SSH. */
  private async query<Row extends QueryResultRow>(text: string, values: unknown[]) {
    try {
      return await queryShared<Row>(this.pool, text, values);
    } catch (error) {
      throw error instanceof DatabaseUnavailableError ? new SshFailure('DATABASE_UNAVAILABLE') : error;
    }
  }

  async entriesFor(host: string, port: number): Promise<KnownHostsEntry[]> {
    const { rows } = await this.query<{ key_type: string; key: Buffer }>(
      'SELECT key_type, key FROM first_use_host_keys WHERE host = $1 AND port = $2 ORDER BY accepted_at',
      [host, port],
    );
    const patterns = knownHostsName(host, port);
    return rows.map((row) => ({ marker: undefined, patterns, keyType: row.key_type, key: row.key }));
  }

  async remember(host: string, port: number, offered: OfferedHostKey): Promise<Buffer> {
    const inserted = await this.query(
      `INSERT INTO first_use_host_keys (host, port, key_type, key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (host, port, key_type) DO NOTHING`,
      [host, port, offered.keyType, offered.key],
    );
    if (inserted.rowCount === 1) return offered.key;
    // Another replica was first. A statement of its own: the INSERT's snapshot may predate that
    // replica's commit, which the conflict check waited for.
    const { rows } = await this.query<{ key: Buffer }>(
      'SELECT key FROM first_use_host_keys WHERE host = $1 AND port = $2 AND key_type = $3',
      [host, port, offered.keyType],
    );
    const kept = rows[0]?.key;
    if (kept === undefined)
      throw new Error(`no first-use key for ${knownHostsName(host, port)} after a conflict`);
    return kept;
  }
}
