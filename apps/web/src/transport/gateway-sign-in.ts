import { type LoginRequest, type SignInState, signInStateSchema } from '@vigil/protocol';
import { loginFailureText, signInStateFailureText } from '../ui/sign-in-words.js';
import { gatewayError } from './gateway-error.js';

export type SignInStateResult = { ok: true; state: SignInState } | { ok: false; message: string };
export type LoginResult = { ok: true } | { ok: false; message: string };

const ME_PATH = '/api/me';
const LOGIN_PATH = '/api/login';
const LOGOUT_PATH = '/api/logout';

/** `GET /api/me`: whether this gateway wants a sign-in, and who is signed in. */
export async function fetchSignInState(fetchImpl: typeof fetch = fetch): Promise<SignInStateResult> {
  try {
    const response = await fetchImpl(ME_PATH, { headers: { accept: 'application/json' } });
    if (!response.ok) {
      return { ok: false, message: signInStateFailureText(response.status, await gatewayError(response)) };
    }
    const state = signInStateSchema.safeParse(await response.json().catch(() => undefined));
    if (!state.success)
      return { ok: false, message: 'The gateway said who is signed in in a way this page cannot read.' };
    return { ok: true, state: state.data };
  } catch (error) {
    return {
      ok: false,
      message: `Could not reach the gateway (${error instanceof Error ? error.message : String(error)}).`,
    };
  }
}

/** `POST /api/login`; the gateway sets its HttpOnly cookie on success, so nothing comes back here. */
export async function logIn(request: LoginRequest, fetchImpl: typeof fetch = fetch): Promise<LoginResult> {
  let response: Response;
  try {
    response = await fetchImpl(LOGIN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (error) {
    return {
      ok: false,
      message: `Could not reach the gateway (${error instanceof Error ? error.message : String(error)}).`,
    };
  }
  if (response.ok) return { ok: true };
  return { ok: false, message: loginFailureText(response.status, await gatewayError(response)) };
}

/** `POST /api/logout`, with no body: the gateway refuses an empty body labelled as JSON. */
export async function logOut(fetchImpl: typeof fetch = fetch): Promise<boolean> {
  try {
    return (await fetchImpl(LOGOUT_PATH, { method: 'POST' })).ok;
  } catch {
    return false;
  }
}
