import { hasRecording } from '../transport/recordings.js';
import { elementById } from './element-by-id.js';
import type { RememberedSession } from './remembered-session.js';

export interface RecordingOffer {
  /**
   * The tab's RememberedSession, watched: the session view sets it when a session runs and
   * forgets it when that session is over, which is when its recording is offered.
   */
  watching(remembered: RememberedSession): RememberedSession;
}

/**
 * `#play-recording`, beside `#back` once a session is over: its owner may replay it. Shown only
 * when the gateway has a recording for this person (HEAD), so not where recording is off.
 */
export function createRecordingOffer(deps: {
  fetch: typeof fetch;
  play(sessionId: string): void;
}): RecordingOffer {
  const button = elementById('play-recording', HTMLButtonElement);
  /** The session running now, if any; cleared once offered, so a later failed start offers nothing. */
  let running: string | undefined;
  let offered: string | undefined;
  button.addEventListener('click', () => {
    if (offered !== undefined) deps.play(offered);
  });

  const offer = async (sessionId: string | undefined) => {
    offered = sessionId;
    button.hidden = true;
    if (sessionId === undefined) return;
    const playable = await hasRecording(sessionId, deps.fetch);
    if (offered === sessionId) button.hidden = !playable;
  };

  return {
    watching(remembered) {
      return {
        get: () => remembered.get(),
        set(sessionId) {
          running = sessionId;
          button.hidden = true;
          remembered.set(sessionId);
        },
        forget() {
          remembered.forget();
          const ended = running;
          running = undefined;
          void offer(ended);
        },
      };
    },
  };
}
