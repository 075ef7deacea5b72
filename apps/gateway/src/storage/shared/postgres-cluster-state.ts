import type { Pool } from 'pg';
import type {
  ClusterState,
  DirectoryEntry,
  LostSession,
  ReplicaRow,
  SessionCounts,
  SessionWhereabouts,
} from '../../cluster/cluster-state.js';

/** How long a lost replica's session rows stay, so a returning browser learns why its session ended. */
const ENDED_ROWS_KEPT = '1 day';

interface SessionRow {
  session_id: string;
  replica_id: string;
  owner: string;
  target: string;
  ssh_user: string;
  source: string;
  started_at: string;
  bytes_to_target: string;
  bytes_from_target: string;
}

function lostOf(row: SessionRow): LostSession {
  return {
    bytesToTarget: Number(row.bytes_to_target),
    bytesFromTarget: Number(row.bytes_from_target),
    sessionId: row.session_id,
    replicaId: row.replica_id,
    owner: row.owner,
    target: row.target,
    sshUser: row.ssh_user,
    source: row.source,
    startedAt: Number(row.started_at),
  };
}

/**
 * Replicas and the directory of live sessions in PostgreSQL. Leases are timestamps of the
 * database's clock (now() + lease), so replicas' own clocks never decide who is alive.
 */
export class PostgresClusterState implements ClusterState {
  constructor(private readonly pool: Pool) {}

  async join(replica: { id: string; url: string }, leaseSeconds: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO replicas (id, url, lease_until) VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [replica.id, replica.url, leaseSeconds],
    );
  }

  async renew(id: string, leaseSeconds: number, sessions: readonly SessionCounts[]): Promise<boolean> {
    // One statement: the counts are written only while the lease is still this replica's.
    const { rows } = await this.pool.query<{ renewed: boolean }>(
      `WITH renewed AS (
         UPDATE replicas SET lease_until = now() + make_interval(secs => $2), sessions = $3
         WHERE id = $1 RETURNING id
       ), counted AS (
         UPDATE live_sessions s SET bytes_to_target = c.to_target, bytes_from_target = c.from_target
         FROM unnest($4::text[], $5::bigint[], $6::bigint[]) AS c(session_id, to_target, from_target)
         WHERE s.session_id = c.session_id AND s.replica_id IN (SELECT id FROM renewed)
           AND s.ended_at IS NULL
       )
       SELECT EXISTS (SELECT 1 FROM renewed) AS renewed`,
      [
        id,
        leaseSeconds,
        sessions.length,
        sessions.map((s) => s.sessionId),
        sessions.map((s) => s.bytesToTarget),
        sessions.map((s) => s.bytesFromTarget),
      ],
    );
    return rows[0]?.renewed === true;
  }

  async markDraining(id: string): Promise<void> {
    await this.pool.query(`UPDATE replicas SET state = 'draining' WHERE id = $1`, [id]);
  }

  async leave(id: string): Promise<void> {
    await this.pool.query(
      `WITH gone AS (DELETE FROM live_sessions WHERE replica_id = $1 AND ended_at IS NULL)
       DELETE FROM replicas WHERE id = $1`,
      [id],
    );
  }

  async sweep(): Promise<LostSession[]> {
    // SKIP LOCKED: replicas sweeping at the same moment each take different dead replicas, so
    // every lost session is ended (and audited) exactly once.
    const { rows } = await this.pool.query<SessionRow>(
      `WITH dead AS (
         SELECT id FROM replicas WHERE lease_until < now() FOR UPDATE SKIP LOCKED
       ), gone AS (
         DELETE FROM replicas WHERE id IN (SELECT id FROM dead)
       )
       UPDATE live_sessions SET ended_at = now(), end_reason = 'replica-lost'
       WHERE replica_id IN (SELECT id FROM dead) AND ended_at IS NULL
       RETURNING session_id, replica_id, owner, target, ssh_user, source, started_at,
                 bytes_to_target, bytes_from_target`,
    );
    await this.pool.query(`DELETE FROM live_sessions WHERE ended_at < now() - interval '${ENDED_ROWS_KEPT}'`);
    return rows.map(lostOf);
  }

  async addSession(entry: DirectoryEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO live_sessions (session_id, replica_id, owner, target, ssh_user, source, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.sessionId,
        entry.replicaId,
        entry.owner,
        entry.target,
        entry.sshUser,
        entry.source,
        entry.startedAt,
      ],
    );
  }

  async removeSession(sessionId: string): Promise<void> {
    await this.pool.query('DELETE FROM live_sessions WHERE session_id = $1 AND ended_at IS NULL', [
      sessionId,
    ]);
  }

  async findSession(sessionId: string): Promise<SessionWhereabouts | undefined> {
    const { rows } = await this.pool.query<{
      owner: string;
      replica_id: string;
      end_reason: string | null;
      url: string | null;
    }>(
      `SELECT s.owner, s.replica_id, s.end_reason, r.url
       FROM live_sessions s LEFT JOIN replicas r ON r.id = s.replica_id
       WHERE s.session_id = $1`,
      [sessionId],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    if (row.end_reason === 'replica-lost')
      return { state: 'replica-lost', owner: row.owner, replicaId: row.replica_id };
    return { state: 'live', owner: row.owner, replicaId: row.replica_id, url: row.url ?? undefined };
  }

  async countOwned(owner: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM live_sessions WHERE owner = $1 AND ended_at IS NULL',
      [owner],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async replicas(): Promise<ReplicaRow[]> {
    const { rows } = await this.pool.query<ReplicaRow>(
      'SELECT id, url, state, sessions FROM replicas ORDER BY joined_at',
    );
    return rows;
  }

  async checkSecret(verifier: Buffer): Promise<boolean> {
    await this.pool.query(
      'INSERT INTO cluster_secret (id, verifier) VALUES (1, $1) ON CONFLICT (id) DO NOTHING',
      [verifier],
    );
    const { rows } = await this.pool.query<{ verifier: Buffer }>(
      'SELECT verifier FROM cluster_secret WHERE id = 1',
    );
    return rows[0]?.verifier.equals(verifier) ?? false;
  }
}
