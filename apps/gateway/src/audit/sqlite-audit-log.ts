import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent, AuditLog, AuditQuery, AuditRow } from './audit-log.js';

const SCHEMA_VERSION = 1;

/**
 * The audit trail in an embedded SQLite database: WAL for durability without blocking readers,
 * synchronous=FULL so an acknowledged event survives a power cut. Writes are synchronous and
 * small (one row per session start/end), far below what SQLite sustains.
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
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `the audit database has schema ${version}, newer than this Vigil (${SCHEMA_VERSION}): upgrade Vigil`,
      );
    }
    if (version < 1) {
      this.db.exec(`
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          kind TEXT NOT NULL,
          owner TEXT,
          target TEXT,
          session_id TEXT,
          event TEXT NOT NULL
        );
        CREATE INDEX audit_owner ON audit (owner, id);
        CREATE INDEX audit_target ON audit (target, id);
        CREATE INDEX audit_session ON audit (session_id);
        PRAGMA user_version = 1;
      `);
    }
  }

  record(event: AuditEvent): void {
    const sessionId = 'sessionId' in event ? event.sessionId : null;
    const owner = event.kind === 'sign-in' ? `user:${event.user}` : event.owner;
    const target = 'target' in event ? event.target : null;
    this.insert.run(this.now(), event.kind, owner, target, sessionId, JSON.stringify(event));
  }

  query(query: AuditQuery): AuditRow[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const filters: [Exclude<keyof AuditQuery, 'newestFirst'>, string][] = [
      ['kind', 'kind = ?'],
      ['owner', 'owner = ?'],
      ['target', 'target = ?'],
      ['sessionId', 'session_id = ?'],
      ['afterId', 'id > ?'],
      ['beforeId', 'id < ?'],
    ];
    for (const [key, clause] of filters) {
      const value = query[key];
      if (value !== undefined) {
        where.push(clause);
        params.push(value);
      }
    }
    const order = query.newestFirst ? 'DESC' : 'ASC';
    const sql = `SELECT id, at, event FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, Math.min(query.limit ?? 1000, 10_000)) as {
      id: number;
      at: number;
      event: string;
    }[];
    return rows.map((row) => ({ id: row.id, at: row.at, event: JSON.parse(row.event) as AuditEvent }));
  }

  close(): void {
    this.db.close();
  }
}
