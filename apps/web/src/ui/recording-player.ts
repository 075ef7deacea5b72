import type { Player } from 'asciinema-player';
import { asciicastTitle, fetchRecording } from '../transport/recordings.js';
import type { AppScreen, AppScreens } from './app-screens.js';
import { elementById } from './element-by-id.js';
import 'asciinema-player/dist/bundle/asciinema-player.css';
import './recording-player.css';

export interface RecordingPlayer {
  /** Shows `#player` and plays the session's recording, headed by `title` or else the recording's own. */
  play(sessionId: string, title?: string): Promise<void>;
}

/** Long pauses (someone reading, thinking) are cut to this many seconds, as `asciinema play -i` does. */
const IDLE_TIME_LIMIT_S = 2;

/** Chromium's `blockedURI` when a Content-Security-Policy refuses to compile WebAssembly. */
const WASM_BLOCKED = 'wasm-eval';

/**
 * `#player`: a session recording (asciicast v2 from the gateway) in the standard asciinema
 * player, loaded on first use. `#player-close` goes back to the screen it was opened from.
 */
export function createRecordingPlayer(deps: { screens: AppScreens; fetch: typeof fetch }): RecordingPlayer {
  const heading = elementById('player-heading', HTMLElement);
  const message = elementById('player-message', HTMLElement);
  const screen = elementById('player-screen', HTMLElement);
  const close = elementById('player-close', HTMLButtonElement);
  let player: Player | undefined;
  let returnTo: AppScreen = 'session';
  /** Which `play` is current: a slow download for an earlier one must not start its player. */
  let generation = 0;

  const say = (text: string) => {
    message.textContent = text;
    message.hidden = text === '';
  };

  // The player's terminal emulator is WebAssembly; a policy without 'wasm-unsafe-eval' stops it
  // silently, so the page says so instead of showing an empty frame.
  document.addEventListener('securitypolicyviolation', (event) => {
    if (deps.screens.current === 'player' && event.blockedURI === WASM_BLOCKED) {
      say(
        "The player cannot run: this gateway's Content-Security-Policy does not allow WebAssembly ('wasm-unsafe-eval').",
      );
    }
  });

  const stop = () => {
    generation++;
    player?.dispose();
    player = undefined;
    screen.replaceChildren();
  };

  close.addEventListener('click', () => {
    stop();
    deps.screens.show(returnTo);
  });

  return {
    async play(sessionId, title) {
      stop();
      const asked = generation;
      if (deps.screens.current !== 'player') returnTo = deps.screens.current;
      heading.textContent = title === undefined ? 'Recording' : `Recording: ${title}`;
      say('Loading the recording…');
      deps.screens.show('player');
      close.focus();
      const [recording, loaded] = await Promise.all([
        fetchRecording(sessionId, deps.fetch),
        import('asciinema-player').catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error)),
        ),
      ]);
      if (asked !== generation) return;
      if (!recording.ok) return say(recording.message);
      if (loaded instanceof Error)
        return say(`The player could not be loaded (${loaded.message}). Reload the page.`);
      const { create } = loaded;
      say('');
      if (title === undefined)
        heading.textContent = `Recording: ${asciicastTitle(recording.asciicast) ?? sessionId}`;
      player = create({ data: recording.asciicast }, screen, {
        autoPlay: true,
        idleTimeLimit: IDLE_TIME_LIMIT_S,
        fit: 'both',
        terminalFontFamily: 'ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      });
    },
  };
}
