import type { SessionSummary } from '@vigil/protocol';
import { elementById } from './element-by-id.js';
import { sessionSummaryText } from './session-words.js';
import { targetLines } from './target-picker.js';

export interface SessionList {
  /** Shows the section when there is at least one session, hides it otherwise. */
  show(sessions: readonly SessionSummary[]): void;
}

export interface SessionListHandlers {
  reattach(session: SessionSummary): void;
  /** Ends the session for good (its shell closes), e.g. one left behind in a closed window. */
  end(session: SessionSummary): void;
}

/**
 * `#sessions` ("Your sessions"): one item per live session, with a `[data-session="<id>"]`
 * Reattach button and a `[data-end-session="<id>"]` End button.
 */
export function createSessionList(handlers: SessionListHandlers): SessionList {
  const section = elementById('sessions', HTMLElement);
  const list = elementById('session-list', HTMLUListElement);
  return {
    show(sessions) {
      list.replaceChildren(...sessions.map((session) => sessionItem(session, handlers)));
      section.hidden = sessions.length === 0;
    },
  };
}

function sessionItem(session: SessionSummary, handlers: SessionListHandlers): HTMLLIElement {
  const about = document.createElement('span');
  about.className = 'session-about';
  about.append(...targetLines(session.target, sessionSummaryText(session)));
  const what = `${session.target} as ${session.username}`;
  const reattach = document.createElement('button');
  reattach.type = 'button';
  reattach.dataset.session = session.sessionId;
  reattach.textContent = 'Reattach';
  reattach.setAttribute('aria-label', `Reattach ${what}`);
  reattach.addEventListener('click', () => handlers.reattach(session));
  const end = document.createElement('button');
  end.type = 'button';
  end.className = 'quiet';
  end.dataset.endSession = session.sessionId;
  end.textContent = 'End';
  end.setAttribute('aria-label', `End ${what}`);
  end.addEventListener('click', () => handlers.end(session));
  const item = document.createElement('li');
  item.className = 'session';
  item.append(about, reattach, end);
  return item;
}
