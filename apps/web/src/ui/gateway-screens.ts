import { signedInFetch } from '../transport/signed-in-fetch.js';
import { createAccountBar } from './account-bar.js';
import { createAppScreens } from './app-screens.js';
import { createAuditPage } from './audit-page.js';
import { createLiveSessionsPanel } from './live-sessions-panel.js';
import { createRecordingOffer } from './recording-offer.js';
import { createRecordingPlayer } from './recording-player.js';
import type { RememberedSession } from './remembered-session.js';
import { createSignInPage } from './sign-in-page.js';
import type { StatusLine } from './status-line.js';

export interface GatewayScreens {
  /** `fetch` for the session flow's API calls: a 401 brings up the sign-in screen instead. */
  readonly fetch: typeof fetch;
  /** The RememberedSession to give the session view: an ended session's recording is offered. */
  readonly remembered: RememberedSession;
  /** On load: the sign-in screen first if the gateway wants one, then `enter`. */
  start(): Promise<void>;
}

/**
 * What the gateway offers around the session flow: its sign-in, the signed-in user in the
 * header, the audit trail for administrators, and recordings. Wired here so main.ts only hands
 * over the session flow's entry and its remembered session.
 */
export function createGatewayScreens(deps: {
  status: StatusLine;
  remembered: RememberedSession;
  /** On to the session flow: the targets, or the session this tab had. */
  enter(): void;
}): GatewayScreens {
  const screens = createAppScreens();
  const gatewayFetch = signedInFetch(() => signInPage.required());
  const player = createRecordingPlayer({ screens, fetch: gatewayFetch });
  const auditPage = createAuditPage({
    screens,
    fetch: gatewayFetch,
    play: (sessionId, title) => void player.play(sessionId, title),
    close: () => screens.show('session'),
  });
  const liveSessions = createLiveSessionsPanel({ fetch: gatewayFetch });
  const signInPage = createSignInPage({
    screens,
    status: deps.status,
    account: createAccountBar({
      openAudit: () => {
        auditPage.open();
        liveSessions.refresh();
      },
      logOut: () => void signInPage.logOut(),
    }),
    enter: deps.enter,
    leaving: () => deps.remembered.forget(),
  });
  const offer = createRecordingOffer({
    fetch: gatewayFetch,
    play: (sessionId) => void player.play(sessionId),
  });
  return {
    fetch: gatewayFetch,
    remembered: offer.watching(deps.remembered),
    start: () => signInPage.start(),
  };
}
