import { type LiveSession, parseLiveSessions, parseSessionList, type SessionSummary } from '@vigil/protocol';
import { gatewayError } from './gateway-error.js';
import { describeParseFailure } from './parse-failure.js';

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

/**
 * Ends a live session (`DELETE /api/sessions/:id`): the owner's own, or anyone's for an
 * administrator. The shell closes and its browser is told who ended it.
 * @returns undefined once ended, else words for the person
 */
export async function endLiveSession(
  sessionId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetchImpl(`${SESSIONS_PATH}/${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
  } catch (error) {
    return `Could not reach the gateway (${describeParseFailure(error)}).`;
  }
  if (response.ok) return undefined;
  if (response.status === 404) return 'That session has already ended.';
  const detail = await gatewayError(response);
  return `The gateway could not end the session (HTTP ${response.status}${detail ? `: ${detail}` : ''}).`;
}

export type AllSessionsResult = { ok: true; sessions: LiveSession[] } | { ok: false; message: string };

/** Every owner's live sessions, newest first (`GET /api/admin/sessions`, administrators only). */
export async function fetchAllLiveSessions(fetchImpl: typeof fetch = fetch): Promise<AllSessionsResult> {
  let response: Response;
  try {
    response = await fetchImpl('/api/admin/sessions', { headers: { accept: 'application/json' } });
  } catch (error) {
    return { ok: false, message: `Could not reach the gateway (${describeParseFailure(error)}).` };
  }
  if (!response.ok) {
    const detail = await gatewayError(response);
    return {
      ok: false,
      message: `The gateway could not list the live sessions (HTTP ${response.status}${detail ? `: ${detail}` : ''}).`,
    };
  }
  try {
    const sessions = parseLiveSessions(await response.json());
    return { ok: true, sessions: sessions.sort((a, b) => b.startedAt - a.startedAt) };
  } catch (error) {
    return { ok: false, message: `The live sessions could not be read (${describeParseFailure(error)}).` };
  }
}
