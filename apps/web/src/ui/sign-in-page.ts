import { fetchSignInState, logIn, logOut } from '../transport/gateway-sign-in.js';
import type { AccountBar } from './account-bar.js';
import type { AppScreens } from './app-screens.js';
import { elementById } from './element-by-id.js';
import './sign-in-page.css';
import { loginProblem, planForSignIn, SIGN_IN_ENDED_TEXT, SIGN_OUT_FAILED_TEXT } from './sign-in-words.js';
import type { StatusLine } from './status-line.js';

export interface SignInPageDeps {
  screens: AppScreens;
  status: StatusLine;
  account: AccountBar;
  /** Signed in, or no sign-in needed: on to the session flow (the targets, or this tab's session). */
  enter(): void;
  /** Signing out: forget what this tab was following before the page starts afresh. */
  leaving(): void;
}

export interface SignInPage {
  /** Asks the gateway who is signed in, then enters or shows the sign-in screen. */
  start(): Promise<void>;
  /** A request was refused for want of a sign-in (it lapsed, or ended in another tab). */
  required(): void;
  /** `POST /api/logout`, then a fresh page: nothing of this person's work stays in it. */
  logOut(): Promise<void>;
}

/**
 * `#sign-in`, the gateway's own sign-in (not a target's): a password form for local users
 * (`#login-name`, `#login-password`, `#login-submit`, errors in `#login-error`) and/or a link to
 * the identity provider (`#login-sso`, a full-page navigation that comes back to `/` signed in).
 */
export function createSignInPage(deps: SignInPageDeps): SignInPage {
  const { screens, status, account } = deps;
  const note = elementById('login-note', HTMLElement);
  const form = elementById('login-form', HTMLFormElement);
  const name = elementById('login-name', HTMLInputElement);
  const password = elementById('login-password', HTMLInputElement);
  const error = elementById('login-error', HTMLElement);
  const submit = elementById('login-submit', HTMLButtonElement);
  const sso = elementById('login-sso-choice', HTMLElement);
  /** A check of `/api/me` in flight: several refused requests ask for one sign-in screen. */
  let checking: Promise<void> | undefined;

  const showError = (text: string | undefined) => {
    error.textContent = text ?? '';
    error.hidden = text === undefined;
  };

  const start = (noteText?: string): Promise<void> => {
    checking ??= (async () => {
      const answer = await fetchSignInState();
      checking = undefined;
      if (!answer.ok) {
        // Whether sign-in is needed is unknown; the session flow says what is wrong with the
        // gateway, and a 401 there comes back here.
        account.show(undefined);
        screens.show('session');
        deps.enter();
        return;
      }
      const plan = planForSignIn(answer.state);
      if (plan.kind === 'enter') {
        account.show(plan.user);
        screens.show('session');
        deps.enter();
        return;
      }
      account.show(undefined);
      status.clearError();
      status.set('Sign in to continue');
      const text = plan.note ?? noteText;
      note.textContent = text ?? '';
      note.hidden = text === undefined;
      form.hidden = !plan.password;
      sso.hidden = !plan.sso;
      showError(undefined);
      password.value = '';
      submit.disabled = false;
      screens.show('sign-in');
      if (plan.password) name.focus();
    })();
    return checking;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const problem = loginProblem(name.value, password.value);
    if (problem !== undefined) {
      showError(problem);
      (name.value.trim() === '' ? name : password).focus();
      return;
    }
    showError(undefined);
    submit.disabled = true;
    status.set('Signing in…');
    void logIn({ name: name.value.trim(), password: password.value }).then((result) => {
      if (result.ok) {
        password.value = '';
        return start();
      }
      submit.disabled = false;
      status.set('Sign in to continue');
      showError(result.message);
      password.select();
      password.focus();
    });
  });

  return {
    start: () => start(),
    required() {
      if (checking || screens.current === 'sign-in') return;
      void start(SIGN_IN_ENDED_TEXT);
    },
    async logOut() {
      status.set('Signing out…');
      if (!(await logOut())) {
        status.set('');
        status.showError(SIGN_OUT_FAILED_TEXT);
        return;
      }
      deps.leaving();
      window.location.reload();
    },
  };
}
