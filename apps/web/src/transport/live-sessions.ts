import { parseSessionList, type SessionSummary } from '@vigil/protocol';

const SESSIONS_PATH = '/api/sessions';

/**
 * This browser's live sessions on the gateway (the identity cookie says whose), newest first.
 * @returns undefined when they could not be listed: the list is an offer, so the page carries on
 *   without it, and the target list says what is wrong with the gateway.
 */
export async function fetchLiveSessions(
  fetchImpl: typeof fetch = fetch,
): Promise<SessionSummary[] | undefined> {
  try {
    const response = await fetchImpl(SESSIONS_PATH, { headers: { accept: 'application/json' } });
    if (!response.ok) return undefined;
    return parseSessionList(await response.json()).sort((a, b) => b.startedAt - a.startedAt);
  } catch {
    return undefined;
  }
}

/** What a page should do on load about the session its tab followed before (sessionStorage). */
export type RememberedSessionPlan =
  | { kind: 'reattach'; session: SessionSummary }
  /** Another page has it right now: on a reload that is usually this tab's old page, still closing. */
  | { kind: 'wait' }
  | { kind: 'none' };

/**
 * A reload takes its session up again by itself. A session attached elsewhere is not taken
 * over unasked, though: a duplicated tab inherits sessionStorage and would otherwise steal the
 * original tab's session. The caller waits a little for a reloading page's socket to close.
 */
export function planForRemembered(
  remembered: string | undefined,
  sessions: readonly SessionSummary[],
): RememberedSessionPlan {
  const session = sessions.find((s) => s.sessionId === remembered);
  if (!session) return { kind: 'none' };
  return session.attached ? { kind: 'wait' } : { kind: 'reattach', session };
}
