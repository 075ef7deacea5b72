import { auditTimeText } from './audit-words.js';

/**
 * A row of the audit screen's tables (events and live sessions): first a `<time>` of `at`, in
 * the page's time zone and machine-readable, then the other cells as given.
 */
export function auditTableRow(at: number, cells: readonly (string | Node)[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const time = document.createElement('time');
  time.dateTime = new Date(at).toISOString();
  time.textContent = auditTimeText(at);
  for (const content of [time, ...cells]) {
    const td = document.createElement('td');
    td.append(content);
    tr.append(td);
  }
  return tr;
}
