import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from './audit-log.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-'));
  dirs.push(dir);
  return join(dir, 'nested', 'audit.db');
}

const session = { sessionId: 's1', owner: 'alice', source: '127.0.0.1', target: 'web-1', sshUser: 'deploy' };
const start: AuditEvent = { kind: 'session-start', ...session, auth: 'password' };
const end: AuditEvent = {
  ...session,
  kind: 'session-end',
  durationMs: 1234,
  bytesToTarget: 10,
  bytesFromTarget: 2000,
  end: { reason: 'keepalive-timeout', missed: 3, countMax: 3 },
};

describe('SqliteAuditLog', () => {
  it('records events durably and reads them back in order, across reopening', () => {
    const path = tempDb();
    let clock = 1000;
    const log = new SqliteAuditLog(path, () => clock++);
    log.record(start);
    log.record(end);
    log.close();
    const reopened = new SqliteAuditLog(path);
    expect(reopened.query({})).toEqual([
      { id: 1, at: 1000, event: start },
      { id: 2, at: 1001, event: end },
    ]);
    reopened.close();
  });

  it('filters by kind, owner, target, session and pages by id', () => {
    const log = new SqliteAuditLog(':memory:');
    log.record(start);
    log.record({ ...start, sessionId: 's2', owner: 'bob', target: 'db' });
    log.record(end);
    expect(log.query({ owner: 'bob' }).map((r) => r.event.kind)).toEqual(['session-start']);
    expect(log.query({ kind: 'session-end' })).toHaveLength(1);
    expect(log.query({ sessionId: 's1' })).toHaveLength(2);
    expect(log.query({ target: 'db' })).toHaveLength(1);
    expect(log.query({ afterId: 2 }).map((r) => r.id)).toEqual([3]);
    expect(log.query({ limit: 1 })).toHaveLength(1);
    log.close();
  });

  it('reads newest first and pages back, as a person looks for what just happened', () => {
    const log = new SqliteAuditLog(':memory:');
    for (let i = 0; i < 5; i++) log.record({ ...start, sessionId: `s${i}` });
    const ids = (query: Parameters<typeof log.query>[0]) => log.query(query).map((r) => r.id);
    expect(ids({ newestFirst: true, limit: 2 })).toEqual([5, 4]);
    expect(ids({ newestFirst: true, beforeId: 4, limit: 2 })).toEqual([3, 2]);
    expect(ids({ newestFirst: true, beforeId: 2, limit: 2 })).toEqual([1]);
    expect(ids({ beforeId: 3 })).toEqual([1, 2]);
    log.close();
  });

  it('uses WAL and refuses a database from a newer Vigil', () => {
    const path = tempDb();
    const log = new SqliteAuditLog(path);
    log.close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => new SqliteAuditLog(path)).toThrow(/newer than this Vigil/);
  });
});
