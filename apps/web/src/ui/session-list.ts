import type { SessionSummary } from '@vigil/protocol';
import { elementById } from './element-by-id.js';
import { sessionSummaryText } from './session-words.js';

export interface SessionList {
  /** Shows the section when there is at least one session, hides it otherwise. */
  show(sessions: readonly SessionSummary[]): void;
}

/** `#sessions` ("Your sessions"): one item per live session, with a `[data-session="<id>"]` Reattach button. */
export function createSessionList(handlers: { reattach(session: SessionSummary): void }): SessionList {
  const section = elementById('sessions', HTMLElement);
  const list = elementById('session-list', HTMLUListElement);
  return {
    show(sessions) {
      list.replaceChildren(...sessions.map((session) => sessionItem(session, handlers.reattach)));
      section.hidden = sessions.length === 0;
    },
  };
}

function sessionItem(session: SessionSummary, reattach: (session: SessionSummary) => void): HTMLLIElement {
  const label = document.createElement('span');
  label.className = 'target-label';
  label.textContent = session.target;
  const details = document.createElement('span');
  details.className = 'target-details';
  details.textContent = sessionSummaryText(session);
  const about = document.createElement('span');
  about.className = 'session-about';
  about.append(label, details);
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.session = session.sessionId;
  button.textContent = 'Reattach';
  button.setAttribute('aria-label', `Reattach ${session.target} as ${session.username}`);
  button.addEventListener('click', () => reattach(session));
  const item = document.createElement('li');
  item.className = 'session';
  item.append(about, button);
  return item;
}
