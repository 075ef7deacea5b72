import type { AuditLog } from './audit-log.js';

/**
 * Writes the audit trail as JSON lines (one event per line, with its id and an ISO time),
 * a page at a time so a large trail streams in bounded memory. Returns how many were written.
 */
export async function exportAudit(
  log: AuditLog,
  write: (line: string) => void,
  afterId = 0,
): Promise<number> {
  let written = 0;
  let after = afterId;
  for (;;) {
    const rows = await log.query({ afterId: after, limit: 1000 });
    if (rows.length === 0) return written;
    for (const row of rows) {
      write(`${JSON.stringify({ id: row.id, at: new Date(row.at).toISOString(), ...row.event })}\n`);
      after = row.id;
      written++;
    }
  }
}
