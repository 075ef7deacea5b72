import { ResizeReporter } from '../terminal/resize-reporter.js';
import { terminalNotice } from '../terminal/terminal-notice.js';
import type { TerminalView } from '../terminal/terminal-view.js';
import { openMessage, type SignInRequest } from '../transport/open-message.js';
import { TerminalSession, type TerminalSessionEvents } from '../transport/terminal-session.js';
import type { AuthPromptDialog } from './auth-prompt-dialog.js';
import { elementById } from './element-by-id.js';
import type { HealthBadge } from './health-badge.js';
import type { HostKeyDialog } from './host-key-dialog.js';
import { connectedText, connectionLostText, exitStatusText } from './session-words.js';
import type { StatusLine } from './status-line.js';

export interface SessionViewDeps {
  terminal: TerminalView;
  status: StatusLine;
  health: HealthBadge;
  authPrompt: AuthPromptDialog;
  hostKey: HostKeyDialog;
  websocketUrl: string;
  /** The person is done with an ended session and goes back to the sign-in form. */
  back(): void;
}

/**
 * The terminal screen for one session at a time: wires the transport's events to the terminal,
 * the dialogs and the status line, and the terminal's keys and size back to the transport.
 */
export function createSessionView(deps: SessionViewDeps): {
  start(request: SignInRequest, label: string): void;
} {
  const { terminal, status, health } = deps;
  const ended = elementById('session-ended', HTMLElement);
  const back = elementById('back', HTMLButtonElement);
  const disconnect = elementById('disconnect', HTMLButtonElement);
  let session: TerminalSession | undefined;

  const reporter = new ResizeReporter((size) => session?.resize(size));
  terminal.term.onData((data) => session?.sendInput(data));
  terminal.term.onBinary((data) => session?.sendBinaryInput(data));
  terminal.onResize((size) => reporter.observe(size));
  back.addEventListener('click', () => {
    health.hide();
    deps.back();
  });
  disconnect.addEventListener('click', () => {
    if (!session) return;
    session.hangUp();
    // Before the socket opens there is nobody to answer `close`; the session just stops.
    if (session.state === 'ended') {
      health.hide();
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
  const whenAnswered = <T>(question: Promise<T>, act: (current: TerminalSession, answer: T) => void) => {
    const asking = session;
    void question.then((answer) => {
      if (asking && asking === session && asking.state !== 'ended') act(asking, answer);
    });
  };

  const events: TerminalSessionEvents = {
    output: (bytes) => terminal.write(bytes),
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
      reporter.attach();
      status.set(connectedText(opened));
      terminal.focus();
    },
    exit: (exit) => {
      health.hide();
      const text = exitStatusText(exit);
      terminal.write(terminalNotice(`[${text}]`));
      over(text);
    },
    error: (error) => {
      // The badge must say lost even if the gateway's last `health` raced the error or never came.
      if (error.code === 'KEEPALIVE_TIMEOUT') health.sshLost();
      else if (error.fatal) health.hide();
      // The terminal says it in OpenSSH's words: "Timeout, server HOST not responding."
      problem(error.message);
      if (error.fatal) over('Session ended');
    },
    lost: (lost) => {
      // Reconnecting itself is a later feature; the badge already says what the page will do.
      if (lost.everOpen) health.reconnecting();
      else health.hide();
      const text = connectionLostText(lost);
      problem(text);
      over(text);
    },
  };

  return {
    start(request, label) {
      session?.dispose();
      status.clearError();
      status.set(`Connecting to ${label}…`);
      ended.hidden = true;
      disconnect.hidden = false;
      terminal.reset();
      health.connecting();
      const size = terminal.show();
      reporter.opening(size);
      session = new TerminalSession(deps.websocketUrl, openMessage(request, size), events);
    },
  };
}
