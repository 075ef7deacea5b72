import '@xterm/xterm/css/xterm.css';
import './ui/styles.css';
import type { SessionSummary, TargetSummary } from '@vigil/protocol';
import type { Terminal } from '@xterm/xterm';
import { type RendererName, requestedRenderer } from './terminal/terminal-renderer.js';
import { createTerminalView } from './terminal/terminal-view.js';
import { endLiveSession, fetchLiveSessions, planForRemembered } from './transport/live-sessions.js';
import { fetchTargetList } from './transport/target-list.js';
import { websocketUrl } from './transport/websocket-url.js';
import { createAuthPromptDialog } from './ui/auth-prompt-dialog.js';
import { elementById } from './ui/element-by-id.js';
import { createGatewayScreens } from './ui/gateway-screens.js';
import { createHealthBadge } from './ui/health-badge.js';
import { createHostKeyDialog } from './ui/host-key-dialog.js';
import { createPageViews } from './ui/page-views.js';
import { createRememberedSession } from './ui/remembered-session.js';
import { createSessionList } from './ui/session-list.js';
import { createSessionView } from './ui/session-view.js';
import { endSessionQuestion } from './ui/session-words.js';
import { createSigninForm } from './ui/signin-form.js';
import { createStatusLine } from './ui/status-line.js';
import { createTargetPicker } from './ui/target-picker.js';

declare global {
  interface Window {
    /**
     * For end-to-end tests: they read the screen from the terminal buffer, not from pixels, e.g.
     * `window.vigil.term.buffer.active.getLine(n).translateToString(true)`; and for them and the
     * bench, which renderer draws it (it turns to `dom` when a WebGL context is lost).
     */
    vigil?: { term: Terminal; readonly renderer: RendererName };
  }
}

/**
 * A reloading tab's old page may still hold its session for a moment (its socket closing): the
 * new page looks this many times, this far apart, before leaving it to the person to reattach.
 */
const REMEMBERED_CHECKS = 12;
const REMEMBERED_RECHECK_MS = 250;

const status = createStatusLine();
const gateway = createGatewayScreens({
  status,
  remembered: createRememberedSession(),
  enter: () =>
    void resumeRemembered().then((resumed) => {
      if (!resumed) void loadTargets();
    }),
});
const remembered = gateway.remembered;
let chosenTarget: TargetSummary | undefined;
const views = createPageViews();
const terminal = createTerminalView(
  elementById('terminal', HTMLElement),
  {
    bar: elementById('search-bar', HTMLElement),
    input: elementById('search-input', HTMLInputElement),
    previous: elementById('search-prev', HTMLButtonElement),
    next: elementById('search-next', HTMLButtonElement),
    count: elementById('search-count', HTMLElement),
    close: elementById('search-close', HTMLButtonElement),
  },
  requestedRenderer(window.location.search),
);
window.vigil = {
  term: terminal.term,
  get renderer() {
    return terminal.renderer;
  },
};

const session = createSessionView({
  terminal,
  status,
  health: createHealthBadge(),
  authPrompt: createAuthPromptDialog(),
  hostKey: createHostKeyDialog(),
  websocketUrl: websocketUrl(window.location),
  remembered,
  back: () => showSignin(),
  // A 401 brings up the sign-in screen (signedInFetch); an unreachable gateway is what the
  // reconnecting itself is about.
  checkSignIn: () => void gateway.fetch('/api/sessions').catch(() => {}),
});

const sessionList = createSessionList({
  reattach: (live) => reattach(live),
  end: (live) => void endSession(live),
});

const signin = createSigninForm({
  connect: (request, target) => {
    views.show('terminal');
    session.start(request, target.label);
  },
  changeTarget: () => void loadTargets(),
  problem: (message) => status.showError(message),
});

const picker = createTargetPicker({
  pick: (target) => {
    status.clearError();
    chosenTarget = target;
    // The gateway holds this target's key: there is nothing to ask, so connect at once.
    if (target.gatewayKey) {
      views.show('terminal');
      session.start({ target: target.name, auth: { method: 'gateway-key' } }, target.label);
    } else showSignin();
  },
  retry: () => void loadTargets(),
});

function reattach(live: SessionSummary) {
  status.clearError();
  views.show('terminal');
  session.reattach(live);
}

async function endSession(live: SessionSummary) {
  status.clearError();
  if (!window.confirm(endSessionQuestion(live))) return;
  const problem = await endLiveSession(live.sessionId, gateway.fetch);
  if (problem) status.showError(problem);
  sessionList.show((await fetchLiveSessions(gateway.fetch)) ?? []);
}

/** The sign-in form for the chosen target, keeping what was typed last time except secrets. */
function showSignin() {
  if (!chosenTarget || chosenTarget.gatewayKey) return void loadTargets();
  status.set(`Signing in to ${chosenTarget.label}`);
  views.show('signin');
  signin.show(chosenTarget);
}

async function loadTargets() {
  views.show('targets');
  status.clearError();
  status.set('Loading targets…');
  picker.loading();
  const [result, sessions] = await Promise.all([
    fetchTargetList(gateway.fetch),
    fetchLiveSessions(gateway.fetch),
  ]);
  sessionList.show(sessions ?? []);
  if (result.ok) {
    status.set(`${result.targets.length} target${result.targets.length === 1 ? '' : 's'} available`);
    picker.show(result.targets);
  } else {
    status.set('No targets');
    status.showError(result.message);
    picker.failed();
  }
}

/** On load: take up the session this tab followed before a reload, if it is still there. */
async function resumeRemembered(): Promise<boolean> {
  const sessionId = remembered.get();
  if (sessionId === undefined) return false;
  status.set('Looking for your session…');
  for (let check = 0; check < REMEMBERED_CHECKS; check++) {
    if (check > 0) await new Promise((resolve) => setTimeout(resolve, REMEMBERED_RECHECK_MS));
    const sessions = await fetchLiveSessions(gateway.fetch);
    if (!sessions) return false;
    const plan = planForRemembered(sessionId, sessions);
    if (plan.kind === 'reattach') {
      reattach(plan.session);
      return true;
    }
    if (plan.kind === 'none') {
      remembered.forget();
      return false;
    }
  }
  // Still open elsewhere (a duplicated tab, say): "Your sessions" offers it instead.
  return false;
}

void gateway.start();
