import type { LiveSession } from '@vigil/protocol';
import { endLiveSession, fetchAllLiveSessions } from '../transport/live-sessions.js';
import { auditTableRow } from './audit-table-row.js';
import { liveSessionDetails, ownerText } from './audit-words.js';
import { elementById } from './element-by-id.js';
import { endSessionQuestion } from './session-words.js';

export interface LiveSessionsPanel {
  /** Lists every owner's live sessions afresh. */
  refresh(): void;
}

/**
 * `#live-sessions` on the audit screen, for administrators: every user's live sessions, each with
 * an `[data-end-session="<id>"]` button that ends it (the kill switch; the audit trail records who).
 */
export function createLiveSessionsPanel(deps: {
  /** The gateway's API, a 401 leading to the sign-in screen (signed-in-fetch.ts). */
  fetch: typeof fetch;
}): LiveSessionsPanel {
  const rows = elementById('live-sessions-rows', HTMLTableSectionElement);
  const summary = elementById('live-sessions-summary', HTMLElement);
  /** Answers to an older refresh are dropped. */
  let generation = 0;

  const refresh = async (note = '') => {
    const asked = ++generation;
    summary.textContent = 'Loading…';
    const result = await fetchAllLiveSessions(deps.fetch);
    if (asked !== generation) return;
    if (!result.ok) {
      rows.replaceChildren();
      summary.textContent = result.message;
      return;
    }
    rows.replaceChildren(...result.sessions.map((session) => sessionRow(session, end)));
    const count = result.sessions.length;
    const listed = count === 0 ? 'No live sessions.' : `${count} live session${count === 1 ? '' : 's'}.`;
    summary.textContent = note ? `${note} ${listed}` : listed;
  };

  const end = async (session: LiveSession) => {
    if (!window.confirm(endSessionQuestion(session))) return;
    const problem = await endLiveSession(session.sessionId, deps.fetch);
    await refresh(
      problem ?? `Ended ${ownerText(session.owner)}'s session on ${session.target} as ${session.username}.`,
    );
  };

  elementById('live-sessions-refresh', HTMLButtonElement).addEventListener('click', () => void refresh());
  return { refresh: () => void refresh() };
}

function sessionRow(session: LiveSession, end: (session: LiveSession) => void): HTMLTableRowElement {
  const tr = auditTableRow(session.startedAt, [
    ownerText(session.owner),
    session.source,
    session.target,
    liveSessionDetails(session),
  ]);
  tr.dataset.sessionId = session.sessionId;
  tr.cells[1]!.title = session.owner;
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.endSession = session.sessionId;
  button.textContent = 'End';
  button.setAttribute(
    'aria-label',
    `End ${session.target} as ${session.username}, by ${ownerText(session.owner)}`,
  );
  button.addEventListener('click', () => end(session));
  const action = document.createElement('td');
  action.append(button);
  tr.append(action);
  return tr;
}
