import type { SignInState } from '@vigil/protocol';

export type GatewayUser = NonNullable<SignInState['user']>;

/** What the page does with the answer of `GET /api/me`. */
export type SignInPlan =
  /** Nobody needs to sign in here, or somebody is: on to the targets. */
  | { kind: 'enter'; user: GatewayUser | undefined }
  /** The sign-in screen, offering the password form, the SSO link, or neither (then `note` says why). */
  | { kind: 'sign-in'; password: boolean; sso: boolean; note: string | undefined };

/** Behind an authenticating proxy the page cannot sign anyone in; it can only say so. */
export const PROXY_ONLY_TEXT =
  'This gateway signs people in through the proxy in front of it, and this page reached it without a user. Reload the page; if that does not help, ask the operator of the gateway.';

/** After a 401 from a page that was signed in: the sign-in lapsed, or ended in another tab. */
export const SIGN_IN_ENDED_TEXT = 'Your sign-in has ended. Sign in again to continue.';

/** A sign-out the gateway could not make (its shared database was unavailable): nothing changed. */
export const SIGN_OUT_FAILED_TEXT =
  'Signing out did not work, so you are still signed in. Try again in a moment.';

export function planForSignIn(state: SignInState): SignInPlan {
  if (!state.required || state.user) return { kind: 'enter', user: state.user };
  const password = state.methods.includes('local');
  const sso = state.methods.includes('oidc');
  return { kind: 'sign-in', password, sso, note: password || sso ? undefined : PROXY_ONLY_TEXT };
}

/** What the form says before sending anything; undefined when both fields are filled in. */
export function loginProblem(name: string, password: string): string | undefined {
  if (name.trim() === '') return 'Enter your user name.';
  if (password === '') return 'Enter your password.';
  return undefined;
}

/**
 * `#login-error` after a refused `POST /api/login`: the gateway's own words when it sent some
 * ("wrong user name or password", the throttling notice), as a sentence.
 */
export function loginFailureText(status: number, gatewayError: string | undefined): string {
  const own = ownWords(gatewayError);
  if (own !== undefined) return own;
  if (status === 401) return 'Wrong user name or password.';
  if (status === 429) return 'Too many sign-in attempts. Wait a while and try again.';
  if (status === 502 || status === 504) return `Could not reach the gateway (HTTP ${status}).`;
  return `The gateway could not sign you in (HTTP ${status}).`;
}

/**
 * A refused `GET /api/me`: the gateway's own words when it sent some (the shared database is
 * unavailable, try again shortly), else the status.
 */
export function signInStateFailureText(status: number, gatewayError: string | undefined): string {
  return ownWords(gatewayError) ?? `The gateway could not say who is signed in (HTTP ${status}).`;
}

/** The header's tooltip on the signed-in name. */
export function accountTitle(user: GatewayUser): string {
  const groups = user.groups.length === 0 ? 'no groups' : `groups: ${user.groups.join(', ')}`;
  return `Signed in to Vigil as ${user.name} (${groups}${user.admin ? '; administrator' : ''})`;
}

function ownWords(gatewayError: string | undefined): string | undefined {
  const text = gatewayError?.trim();
  return text ? sentence(text) : undefined;
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
