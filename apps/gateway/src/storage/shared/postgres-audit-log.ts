import type { Pool } from 'pg';
import type { AuditEvent, AuditLog, AuditQuery, AuditRow } from '../../audit/audit-log.js';
import { auditColumns, auditSelect } from '../audit-columns.js';

/** Rows per INSERT when a backlog is written. */
const BATCH = 200;
/** Retries after a failed write back off from this to RETRY_MAX_MS. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

interface Pending {
  at: number;
  event: AuditEvent;
}

/** What the gateway hears about the database going away and coming back. */
export interface AuditOutageListener {
  unavailable(error: unknown, pending: number): void;
  recovered(written: number): void;
}

/**
 * The audit trail in PostgreSQL (the shared side of the storage seam), read and written by every
 * replica. Recording never waits for the database: an event is queued in order, timed when it
 * happened, and written by one writer at a time. While PostgreSQL is away the queue holds every
 * event and retries with backoff; when it returns they are written in their order, none lost.
 * The queue lives in memory, so events recorded during an outage are lost if this process dies
 * before the database returns (docs/operations.md says so).
 */
export class PostgresAuditLog implements AuditLog {
  private readonly queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MIN_MS;
  private outage = false;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly listener: AuditOutageListener | undefined = undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Events recorded but not yet in the database. */
  get pending(): number {
    return this.queue.length;
  }

  record(event: AuditEvent): void {
    this.queue.push({ at: this.now(), event });
    this.writeSoon();
  }

  async query(query: AuditQuery): Promise<AuditRow[]> {
    const { sql, params } = auditSelect(query, (n) => `$${n}`);
    const { rows } = await this.pool.query<{ id: string; at: string; event: string }>(sql, params);
    // BIGINT arrives as text: ids and times stay far below 2^53.
    return rows.map((row) => ({
      id: Number(row.id),
      at: Number(row.at),
      event: JSON.parse(row.event) as AuditEvent,
    }));
  }

  /** Resolves once every event recorded so far is in the database. */
  async flushed(): Promise<void> {
    while (this.queue.length > 0 || this.writing) {
      if (this.writing) await this.writing;
      else if (this.retryTimer) await new Promise((resolve) => setTimeout(resolve, 50));
      else this.writeSoon();
    }
  }

  /** Writes what is queued, trying for at most `graceMs`, then closes the pool. */
  async close(graceMs = 10_000): Promise<void> {
    const gaveUp = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    await Promise.race([this.flushed(), gaveUp]);
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.writing;
    await this.pool.end();
  }

  private writeSoon() {
    if (this.writing || this.retryTimer || this.closed) return;
    this.writing = this.writeQueue().finally(() => {
      this.writing = undefined;
    });
  }

  private async writeQueue() {
    let written = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, BATCH);
      try {
        await this.insert(batch);
      } catch (error) {
        if (!this.outage) this.listener?.unavailable(error, this.queue.length);
        this.outage = true;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.writeSoon();
        }, this.retryMs);
        this.retryTimer.unref();
        this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
        return;
      }
      this.queue.splice(0, batch.length);
      written += batch.length;
    }
    this.retryMs = RETRY_MIN_MS;
    if (this.outage) {
      this.outage = false;
      this.listener?.recovered(written);
    }
  }

  /** One INSERT for the batch: its rows take ids in the order they were recorded. */
  private async insert(batch: Pending[]) {
    const values: string[] = [];
    const params: (string | number | null)[] = [];
    for (const { at, event } of batch) {
      const { kind, owner, target, sessionId } = auditColumns(event);
      const base = params.length;
      params.push(at, kind, owner, target, sessionId, JSON.stringify(event));
      values.push(`(${[1, 2, 3, 4, 5, 6].map((i) => `$${base + i}`).join(', ')})`);
    }
    await this.pool.query(
      `INSERT INTO audit (at, kind, owner, target, session_id, event) VALUES ${values.join(', ')}`,
      params,
    );
  }
}
