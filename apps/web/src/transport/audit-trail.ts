import { type AuditEventKind, type AuditRow, parseAuditRows } from '@vigil/protocol';
import { gatewayError } from './gateway-error.js';
import { describeParseFailure } from './parse-failure.js';

/** The audit page's filters as typed; blanks mean "any". */
export interface AuditFilters {
  kind: AuditEventKind | '';
  target: string;
  /** A gateway user name (`bob`) or an owner as the gateway writes it (`user:bob`, `browser:…`). */
  owner: string;
}

export type AuditPageResult = { ok: true; rows: AuditRow[] } | { ok: false; message: string };

/** Rows per page: enough to read, few enough to render at once. */
export const AUDIT_PAGE_SIZE = 100;

/**
 * The query of `GET /api/audit` for one page, newest first: a person looks for what just
 * happened, and pages back from there (`beforeId`, the oldest row shown). The gateway compares
 * owners exactly, and a plain name means the signed-in user of that name, so `bob` becomes
 * `user:bob`.
 */
export function auditQuery(filters: AuditFilters, beforeId?: number, limit = AUDIT_PAGE_SIZE): string {
  const query = new URLSearchParams();
  if (filters.kind !== '') query.set('kind', filters.kind);
  const target = filters.target.trim();
  if (target !== '') query.set('target', target);
  const owner = filters.owner.trim();
  if (owner !== '') query.set('owner', owner.includes(':') ? owner : `user:${owner}`);
  if (beforeId !== undefined) query.set('beforeId', String(beforeId));
  query.set('order', 'newest');
  query.set('limit', String(limit));
  return query.toString();
}

/** One page of the audit trail; every failure comes back as words. */
export async function fetchAuditPage(
  query: string,
  fetchImpl: typeof fetch = fetch,
): Promise<AuditPageResult> {
  let response: Response;
  try {
    response = await fetchImpl(`/api/audit?${query}`, { headers: { accept: 'application/json' } });
  } catch (error) {
    return { ok: false, message: `Could not reach the gateway (${describeParseFailure(error)}).` };
  }
  if (response.status === 403) return { ok: false, message: 'The audit trail is for administrators.' };
  if (!response.ok) {
    const detail = await gatewayError(response);
    return {
      ok: false,
      message: `The gateway could not list the audit trail (HTTP ${response.status}${detail ? `: ${detail}` : ''}).`,
    };
  }
  try {
    return { ok: true, rows: parseAuditRows(await response.json()) };
  } catch (error) {
    return { ok: false, message: `The audit trail could not be read (${describeParseFailure(error)}).` };
  }
}
