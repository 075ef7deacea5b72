import type { AuditEvent, AuditQuery } from '../audit/audit-log.js';

/** The indexed columns an event is filed under, the same on both sides of the storage seam. */
export function auditColumns(event: AuditEvent) {
  return {
    kind: event.kind,
    owner: event.kind === 'sign-in' ? `user:${event.user}` : event.owner,
    target: 'target' in event ? event.target : null,
    sessionId: 'sessionId' in event ? event.sessionId : null,
  };
}

/** Filters of an AuditQuery and the column each compares, in one order for both SQL dialects. */
export const AUDIT_FILTERS: readonly [
  Exclude<keyof AuditQuery, 'newestFirst' | 'limit'>,
  string,
  '=' | '>' | '<',
][] = [
  ['kind', 'kind', '='],
  ['owner', 'owner', '='],
  ['target', 'target', '='],
  ['sessionId', 'session_id', '='],
  ['afterId', 'id', '>'],
  ['beforeId', 'id', '<'],
];

/** At most this many rows per query, whatever is asked. */
export const MAX_AUDIT_ROWS = 10_000;

/**
 * The WHERE / ORDER / LIMIT of an audit query; `placeholder(n)` spells the n-th parameter in the
 * dialect (`?` for SQLite, `$n` for PostgreSQL).
 */
export function auditSelect(query: AuditQuery, placeholder: (n: number) => string) {
  const where: string[] = [];
  const params: (string | number)[] = [];
  for (const [key, column, op] of AUDIT_FILTERS) {
    const value = query[key];
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} ${op} ${placeholder(params.length)}`);
  }
  params.push(Math.min(query.limit ?? 1000, MAX_AUDIT_ROWS));
  const sql =
    `SELECT id, at, event FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
    `ORDER BY id ${query.newestFirst ? 'DESC' : 'ASC'} LIMIT ${placeholder(params.length)}`;
  return { sql, params };
}
