import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent, AuditLog, AuditQuery, AuditRow } from '../../audit/audit-log.js';
import { auditColumns, auditSelect } from '../audit-columns.js';
import { migrationsAfter } from '../migrations.js';

/**
 * The audit trail in an embedded SQLite database (the local side of the storage seam): WAL for
 * durability without blocking readers, synchronous=FULL so an acknowledged event survives a
 * power cut. Writes are synchronous and small (one row per session start/end), far below what
 * SQLite sustains. The schema version is SQLite's own `user_version`.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<
    [number, string, string | null, string | null, string | null, string]
  >;

  constructor(
    path: string,
    private readonly now: () => number = Date.now,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.migrate();
    this.insert = this.db.prepare(
      'INSERT INTO audit (at, kind, owner, target, session_id, event) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  private migrate() {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (const step of migrationsAfter(version)) {
      this.db.transaction(() => {
        if (step.sqlite !== '') this.db.exec(step.sqlite);
        this.db.pragma(`user_version = ${step.version}`);
      })();
    }
  }

  record(event: AuditEvent): void {
    const { kind, owner, target, sessionId } = auditColumns(event);
    this.insert.run(this.now(), kind, owner, target, sessionId, JSON.stringify(event));
  }

  async query(query: AuditQuery): Promise<AuditRow[]> {
    const { sql, params } = auditSelect(query, () => '?');
    const rows = this.db.prepare(sql).all(...params) as { id: number; at: number; event: string }[];
    return rows.map((row) => ({ id: row.id, at: row.at, event: JSON.parse(row.event) as AuditEvent }));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
