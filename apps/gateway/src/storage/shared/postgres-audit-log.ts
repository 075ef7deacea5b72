import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { AuditEvent, AuditLog, AuditQuery, AuditRow } from '../../audit/audit-log.js';
import { auditColumns, auditSelect } from '../audit-columns.js';
import { queryShared } from './shared-query.js';

/** Rows per INSERT when a backlog is written. */
const BATCH = 200;
/** Retries after a failed write back off from this to RETRY_MAX_MS. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
/**
 * Events kept in memory while PostgreSQL is away, at most: some 17 MB (350 bytes each, measured
 * for a session-end), hours of a busy gateway's trail. Past it new events are dropped and counted, said at once in
 * the log and again with the count when the database is back. @default 50000
 */
export const MAX_QUEUED_EVENTS = 50_000;

interface Pending {
  at: number;
  /** Unique across replicas and restarts: a batch written again after a lost reply adds nothing. */
  writerKey: string;
  event: AuditEvent;
}

/** What the gateway hears about the database going away and coming back. */
export interface AuditOutageListener {
  unavailable(error: unknown, pending: number): void;
  /** The queue is full: from now on events are dropped until the database takes them. */
  overflowing(limit: number): void;
  /** @param dropped events that did not fit the queue meanwhile */
  recovered(written: number, dropped: number): void;
}

/**
 * The audit trail in PostgreSQL (the shared side of the storage seam), read and written by every
 * replica. Recording never waits for the database: an event is queued in order, timed when it
 * happened, and written by one writer at a time. While PostgreSQL is away the queue holds every
 * event and retries with backoff; when it returns they are written in their order, none lost.
 * Each event carries a key of its own, so a write whose reply was lost (committed or not) is
 * simply written again. The queue lives in memory and holds at most MAX_QUEUED_EVENTS, so events
 * recorded during an outage are lost if this process dies before the database returns, or past
 * that bound (docs/operations.md says so).
 */
export class PostgresAuditLog implements AuditLog {
  private readonly queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MIN_MS;
  private outage = false;
  private closed = false;
  private readonly writer = randomUUID();
  private sequence = 0;
  private dropped = 0;

  constructor(
    private readonly pool: Pool,
    private readonly listener: AuditOutageListener | undefined = undefined,
    private readonly now: () => number = Date.now,
    private readonly limit = MAX_QUEUED_EVENTS,
  ) {}

  /** Events recorded but not yet in the database. */
  get pending(): number {
    return this.queue.length;
  }

  record(event: AuditEvent): void {
    const writerKey = `${this.writer}:${this.sequence++}`;
    if (this.queue.length >= this.limit) {
      if (this.dropped++ === 0) this.listener?.overflowing(this.limit);
      return;
    }
    this.queue.push({ at: this.now(), writerKey, event });
    this.writeSoon();
  }

  async query(query: AuditQuery): Promise<AuditRow[]> {
    const { sql, params } = auditSelect(query, (n) => `$${n}`);
    const { rows } = await queryShared<{ id: string; at: string; event: string }>(this.pool, sql, params);
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
    if (this.outage || this.dropped > 0) {
      this.outage = false;
      this.listener?.recovered(written, this.dropped);
      this.dropped = 0;
    }
  }

  /** One INSERT for the batch: its rows take ids in the order they were recorded. */
  private async insert(batch: Pending[]) {
    const values: string[] = [];
    const params: (string | number | null)[] = [];
    for (const { at, writerKey, event } of batch) {
      const { kind, owner, target, sessionId } = auditColumns(event);
      const base = params.length;
      params.push(at, kind, owner, target, sessionId, JSON.stringify(event), writerKey);
      values.push(`(${[1, 2, 3, 4, 5, 6, 7].map((i) => `$${base + i}`).join(', ')})`);
    }
    await this.pool.query(
      `INSERT INTO audit (at, kind, owner, target, session_id, event, writer_key) VALUES ${values.join(', ')}
       ON CONFLICT (writer_key) DO NOTHING`,
      params,
    );
  }
}
