import { describe, expect, it } from 'vitest';
import { SqliteAuditLog } from '../storage/local/sqlite-audit-log.js';
import { exportAudit } from './export-audit.js';

describe('exportAudit', () => {
  it('writes every event as one JSON line, across pages, from a given id on', async () => {
    const log = new SqliteAuditLog(':memory:', () => Date.UTC(2026, 10, 24));
    for (let i = 0; i < 2500; i++) {
      log.record({
        kind: 'session-refused',
        owner: 'o',
        source: '127.0.0.1',
        target: `t${i}`,
        sshUser: 'u',
        code: 'AUTH_FAILED',
      });
    }
    const lines: string[] = [];
    expect(await exportAudit(log, (line) => lines.push(line))).toBe(2500);
    expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      id: 1,
      at: '2026-11-24T00:00:00.000Z',
      kind: 'session-refused',
      owner: 'o',
      source: '127.0.0.1',
      target: 't0',
      sshUser: 'u',
      code: 'AUTH_FAILED',
    });
    expect(JSON.parse(lines[2499]!).target).toBe('t2499');
    expect(await exportAudit(log, () => undefined, 2400)).toBe(100);
  });
});
