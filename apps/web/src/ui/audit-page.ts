import { AUDIT_EVENT_KINDS, type AuditEventKind, type AuditRow } from '@vigil/protocol';
import { AUDIT_PAGE_SIZE, type AuditFilters, auditQuery, fetchAuditPage } from '../transport/audit-trail.js';
import type { AppScreens } from './app-screens.js';
import { auditTableRow } from './audit-table-row.js';
import { AUDIT_KIND_LABELS, auditDetails, auditWho, playableSession } from './audit-words.js';
import { elementById } from './element-by-id.js';
import './audit-page.css';

export interface AuditPage {
  /** Shows `#audit` and loads the first page afresh. */
  open(): void;
}

export interface AuditPageDeps {
  screens: AppScreens;
  /** The gateway's API, a 401 leading to the sign-in screen (signed-in-fetch.ts). */
  fetch: typeof fetch;
  play(sessionId: string, title: string): void;
  /** Back to where the person came from (the session flow). */
  close(): void;
}

/**
 * `#audit`, for administrators: the gateway's audit trail, newest first; `#audit-more` fetches
 * the page of older events. Session rows carry a `[data-play="<sessionId>"]` button for the
 * recording.
 */
export function createAuditPage(deps: AuditPageDeps): AuditPage {
  const filtersForm = elementById('audit-filters', HTMLFormElement);
  const kind = elementById('audit-kind', HTMLSelectElement);
  const owner = elementById('audit-owner', HTMLInputElement);
  const target = elementById('audit-target', HTMLInputElement);
  const rows = elementById('audit-rows', HTMLTableSectionElement);
  const summary = elementById('audit-summary', HTMLElement);
  const more = elementById('audit-more', HTMLButtonElement);
  const close = elementById('audit-close', HTMLButtonElement);
  const heading = elementById('audit-heading', HTMLElement);

  kind.replaceChildren(
    new Option('All kinds', ''),
    ...AUDIT_EVENT_KINDS.map((value) => new Option(AUDIT_KIND_LABELS[value], value)),
  );

  let filters: AuditFilters = { kind: '', owner: '', target: '' };
  /** The oldest row shown: the next page is what came before it. */
  let oldestId: number | undefined;
  let shown = 0;
  /** Answers for an older set of filters are dropped. */
  let generation = 0;

  const load = async (fresh: boolean) => {
    const asked = ++generation;
    if (fresh) {
      oldestId = undefined;
      shown = 0;
      rows.replaceChildren();
    }
    more.disabled = true;
    summary.textContent = 'Loading…';
    const result = await fetchAuditPage(auditQuery(filters, oldestId), deps.fetch);
    if (asked !== generation) return;
    more.disabled = false;
    if (!result.ok) {
      summary.textContent = result.message;
      more.hidden = true;
      return;
    }
    rows.append(...result.rows.map((row) => auditRow(row, deps.play)));
    shown += result.rows.length;
    oldestId = result.rows.at(-1)?.id ?? oldestId;
    // A short page is the end of the trail for now; a full one may have more behind it.
    const full = result.rows.length === AUDIT_PAGE_SIZE;
    more.hidden = !full;
    summary.textContent =
      shown === 0
        ? 'No events match.'
        : `${shown} event${shown === 1 ? '' : 's'}, newest first${full ? '; older ones to load' : ''}.`;
  };

  filtersForm.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = { kind: kind.value as AuditEventKind | '', owner: owner.value, target: target.value };
    void load(true);
  });
  more.addEventListener('click', () => void load(false));
  close.addEventListener('click', () => deps.close());

  return {
    open() {
      deps.screens.show('audit');
      heading.focus();
      void load(true);
    },
  };
}

function auditRow(row: AuditRow, play: (sessionId: string, title: string) => void): HTMLTableRowElement {
  const { event } = row;
  const tr = auditTableRow(row.at, [
    AUDIT_KIND_LABELS[event.kind],
    auditWho(event),
    event.source,
    event.kind === 'sign-in' ? '' : event.target,
    auditDetails(event),
  ]);
  tr.dataset.auditId = String(row.id);
  tr.dataset.kind = event.kind;
  if (event.kind !== 'sign-in') tr.cells[2]!.title = event.owner;
  const action = document.createElement('td');
  const playable = playableSession(event);
  if (playable) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.play = playable.sessionId;
    button.textContent = 'Play';
    button.setAttribute('aria-label', `Play the recording of ${playable.title}`);
    button.addEventListener('click', () => play(playable.sessionId, playable.title));
    action.append(button);
  }
  tr.append(action);
  return tr;
}
