import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLogContract, END as end, START as start } from '../audit-log.contract.js';
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

describe('SqliteAuditLog', () => {
  it('records events durably and reads them back in order, across reopening', async () => {
    const path = tempDb();
    let clock = 1000;
    const log = new SqliteAuditLog(path, () => clock++);
    log.record(start);
    log.record(end);
    await log.close();
    const reopened = new SqliteAuditLog(path);
    expect(await reopened.query({})).toEqual([
      { id: 1, at: 1000, event: start },
      { id: 2, at: 1001, event: end },
    ]);
    await reopened.close();
  });

  auditLogContract(
    async () => new SqliteAuditLog(':memory:'),
    async () => {},
  );

  it('uses WAL and refuses a database from a newer Vigil', async () => {
    const path = tempDb();
    const log = new SqliteAuditLog(path);
    await log.close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => new SqliteAuditLog(path)).toThrow(/newer than this Vigil/);
  });
});
