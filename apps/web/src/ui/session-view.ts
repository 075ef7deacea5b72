import type { SessionSummary } from '@vigil/protocol';
import { ResizeReporter } from '../terminal/resize-reporter.js';
import { terminalNotice } from '../terminal/terminal-notice.js';
import type { TerminalSize } from '../terminal/terminal-size.js';
import type { TerminalView } from '../terminal/terminal-view.js';
import { openMessage, type SignInRequest } from '../transport/open-message.js';
import {
  ResumableSession,
  type ResumableSessionEvents,
  type SessionStart,
} from '../transport/resumable-session.js';
import type { AuthPromptDialog } from './auth-prompt-dialog.js';
import { elementById } from './element-by-id.js';
import type { HealthBadge } from './health-badge.js';
import type { HostKeyDialog } from './host-key-dialog.js';
import type { RememberedSession } from './remembered-session.js';
import {
  connectedText,
  connectionLostText,
  exitStatusText,
  lostOutputText,
  openRetryingText,
  reattachedText,
  reconnectingText,
  SESSION_ENDED_AWAY_TEXT,
} from './session-words.js';
import type { StatusLine } from './status-line.js';

export interface SessionViewDeps {
  terminal: TerminalView;
  status: StatusLine;
  health: HealthBadge;
  authPrompt: AuthPromptDialog;
  hostKey: HostKeyDialog;
  websocketUrl: string;
  /** The session this tab follows, so a reload can take it up again. */
  remembered: RememberedSession;
  /** The person is done with an ended session and goes back to the sign-in form. */
  back(): void;
  /**
   * Asks the gateway whether this browser is still signed in to it, the sign-in screen taking
   * over if not: a WebSocket refused for that reason looks to the page like any failed attempt.
   */
  checkSignIn(): void;
}

export interface SessionView {
  start(request: SignInRequest, label: string): void;
  /** Takes up a live session of this browser (after a reload, or from another tab). */
  reattach(session: Pick<SessionSummary, 'sessionId' | 'target' | 'username'>): void;
}

/**
 * The terminal screen for one session at a time: wires the transport's events to the terminal,
 * the dialogs and the status line, and the terminal's keys and size back to the transport. A
 * dropped connection keeps the screen: the transport reconnects and the output continues.
 */
export function createSessionView(deps: SessionViewDeps): SessionView {
  const { terminal, status, health, remembered } = deps;
  const ended = elementById('session-ended', HTMLElement);
  const back = elementById('back', HTMLButtonElement);
  const disconnect = elementById('disconnect', HTMLButtonElement);
  let session: ResumableSession | undefined;
  /** Whether this view has had its session running: a session gone on return "ended while away". */
  let wasRunning = false;
  let reconnectAttempt = 0;
  let droppedInput = false;

  const reporter = new ResizeReporter((size) => session?.resize(size));
  terminal.term.onData((data) => session?.sendInput(data, 'text'));
  terminal.term.onBinary((data) => session?.sendInput(data, 'binary'));
  terminal.onResize((size) => reporter.observe(size));
  back.addEventListener('click', () => {
    health.hide();
    deps.back();
  });
  disconnect.addEventListener('click', () => {
    if (!session) return;
    session.hangUp();
    // Nobody to answer `close` (not yet open, or reconnecting): the session view just stops.
    if (session.state === 'ended') {
      health.hide();
      remembered.forget();
      over('Disconnected');
    }
  });

  const over = (statusText: string) => {
    reporter.detach();
    deps.authPrompt.close();
    deps.hostKey.close();
    status.set(statusText);
    disconnect.hidden = true;
    ended.hidden = false;
    back.focus();
  };

  const problem = (message: string) => {
    status.showError(message);
    terminal.write(terminalNotice(message, 'red'));
  };

  /** Acts on a dialog's answer only if the session that asked is still the live one. */
  const whenAnswered = <T>(question: Promise<T>, act: (current: ResumableSession, answer: T) => void) => {
    const asking = session;
    void question.then((answer) => {
      if (asking && asking === session && asking.state !== 'ended') act(asking, answer);
    });
  };

  const events: ResumableSessionEvents = {
    output: (bytes, parsed) => terminal.write(bytes, parsed),
    health: (message) => health.health(message),
    authPrompt: (prompt) => {
      if (prompt.prompts.length === 0) {
        // As OpenSSH does: a round without questions only carries text to show, and is answered at once.
        const text = [prompt.name, prompt.instructions].filter((part) => part !== '').join('\n');
        if (text !== '') terminal.write(terminalNotice(text, 'dim'));
        session?.answerPrompt([]);
        return;
      }
      status.set('The server is asking a question');
      whenAnswered(deps.authPrompt.ask(prompt), (current, answers) => {
        if (answers === undefined) return current.hangUp();
        status.set('Signing in…');
        current.answerPrompt(answers);
      });
    },
    hostKeyUnknown: (offer) => {
      status.set('Waiting for your decision on the host key');
      whenAnswered(deps.hostKey.ask(offer), (current, accept) => {
        status.set(accept ? 'Signing in…' : 'Host key rejected');
        current.decideHostKey(accept);
      });
    },
    opened: (opened) => {
      wasRunning = true;
      remembered.set(opened.sessionId);
      reporter.attach();
      status.set(connectedText(opened));
      terminal.focus();
    },
    attached: (attached) => {
      wasRunning = true;
      reconnectAttempt = 0;
      droppedInput = false;
      remembered.set(attached.sessionId);
      status.clearError();
      if (attached.lostBytes > 0)
        terminal.write(terminalNotice(lostOutputText(attached.lostBytes), 'yellow'));
      // The PTY may have another tab's size, or the window changed while away.
      reporter.reattach();
      status.set(reattachedText(attached));
      terminal.focus();
    },
    reconnecting: ({ attempt }) => {
      reconnectAttempt = attempt;
      deps.checkSignIn();
      reporter.detach();
      health.reconnecting();
      // Nothing is written into the terminal: the screen belongs to the remote program, and
      // the output continues exactly where it stopped.
      status.set(reconnectingText(attempt, droppedInput));
    },
    openRetrying: ({ attempt, of }) => status.set(openRetryingText(attempt, of)),
    inputDropped: () => {
      droppedInput = true;
      status.set(reconnectingText(reconnectAttempt, true));
    },
    exit: (exit) => {
      health.hide();
      remembered.forget();
      const text = exitStatusText(exit);
      terminal.write(terminalNotice(`[${text}]`));
      over(text);
    },
    error: (error) => {
      // The badge must say lost even if the gateway's last `health` raced the error or never came.
      if (error.code === 'KEEPALIVE_TIMEOUT') health.sshLost();
      else if (error.fatal) health.hide();
      if (!error.fatal) return problem(error.message);
      remembered.forget();
      if (error.code === 'SIGN_IN_CANCELLED') {
        // The person said no to a question: back to the form, nothing went wrong.
        deps.back();
        return status.set(error.message);
      }
      if (error.code === 'SESSION_NOT_FOUND' && wasRunning) {
        problem(SESSION_ENDED_AWAY_TEXT);
        return over(SESSION_ENDED_AWAY_TEXT);
      }
      // The terminal says it in OpenSSH's words: "Timeout, server HOST not responding."
      problem(error.message);
      over(error.code === 'SESSION_TAKEN_OVER' ? 'Opened in another tab or window' : 'Session ended');
    },
    lost: (lost) => {
      // Only before the shell ran: there is no session to come back to.
      health.hide();
      remembered.forget();
      const text = connectionLostText(lost);
      problem(text);
      over(text);
    },
  };

  const begin = (start: (size: TerminalSize) => SessionStart, connectingText: string) => {
    session?.dispose();
    wasRunning = false;
    reconnectAttempt = 0;
    droppedInput = false;
    status.clearError();
    status.set(connectingText);
    ended.hidden = true;
    disconnect.hidden = false;
    terminal.reset();
    health.connecting();
    const size = terminal.show();
    reporter.opening(size);
    session = new ResumableSession(deps.websocketUrl, start(size), events);
  };

  return {
    start(request, label) {
      begin((size) => ({ kind: 'open', message: openMessage(request, size) }), `Connecting to ${label}…`);
    },
    reattach(summary) {
      begin(
        () => ({ kind: 'attach', sessionId: summary.sessionId }),
        `Reattaching to ${summary.target} as ${summary.username}…`,
      );
    },
  };
}
