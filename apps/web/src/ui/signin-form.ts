import type { AuthMethod, AuthRequest, TargetSummary } from '@vigil/protocol';
import { checkSignInRequest, type SignInRequest } from '../transport/open-message.js';
import { elementById } from './element-by-id.js';
import { AUTH_METHOD_LABELS } from './target-words.js';

export interface SigninHandlers {
  connect(request: SignInRequest, target: TargetSummary): void;
  changeTarget(): void;
  problem(message: string): void;
}

export interface SigninForm {
  /** Shows the form for a target; user name and method survive when it is the same target again. */
  show(target: TargetSummary): void;
}

/** `#signin`: user name (unless the target fixes it), method, and that method's fields. */
export function createSigninForm(handlers: SigninHandlers): SigninForm {
  const form = elementById('signin', HTMLFormElement);
  const title = elementById('signin-target', HTMLElement);
  const addressFields = elementById('address-fields', HTMLElement);
  const addressHost = elementById('address-host', HTMLInputElement);
  const addressPort = elementById('address-port', HTMLSelectElement);
  const usernameField = elementById('username-field', HTMLElement);
  const username = elementById('username', HTMLInputElement);
  const fixedUser = elementById('fixed-user', HTMLElement);
  const fixedUsername = elementById('fixed-username', HTMLElement);
  const method = elementById('auth-method', HTMLSelectElement);
  const password = elementById('password', HTMLInputElement);
  const privateKey = elementById('private-key', HTMLTextAreaElement);
  const privateKeyFile = elementById('private-key-file', HTMLInputElement);
  const passphrase = elementById('passphrase', HTMLInputElement);
  const methodFields = [...form.querySelectorAll<HTMLElement>('[data-method]')];
  let target: TargetSummary | undefined;

  const showMethodFields = () => {
    for (const fields of methodFields) fields.hidden = fields.dataset.method !== method.value;
  };
  method.addEventListener('change', showMethodFields);

  privateKeyFile.addEventListener('change', () => {
    const file = privateKeyFile.files?.[0];
    if (!file) return;
    file.text().then(
      (text) => {
        privateKey.value = text;
      },
      (error: unknown) => handlers.problem(`Could not read ${file.name}: ${String(error)}`),
    );
  });

  elementById('change-target', HTMLButtonElement).addEventListener('click', () => handlers.changeTarget());

  const auth = (): AuthRequest | string => {
    switch (method.value as AuthMethod) {
      case 'password':
        return { method: 'password', password: password.value };
      case 'publickey':
        if (privateKey.value.trim() === '') return 'Paste a private key or load one from a file.';
        return passphrase.value === ''
          ? { method: 'publickey', privateKey: privateKey.value }
          : { method: 'publickey', privateKey: privateKey.value, passphrase: passphrase.value };
      case 'keyboard-interactive':
        return { method: 'keyboard-interactive' };
    }
  };

  const fail = (message: string, field?: HTMLElement) => {
    handlers.problem(message);
    field?.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!target) return;
    if (!target.user && username.value.trim() === '') return fail('Enter a user name.', username);
    if (target.freeForm && addressHost.value.trim() === '')
      return fail('Enter the host to connect to.', addressHost);
    const credentials = auth();
    if (typeof credentials === 'string') return fail(credentials, privateKey);
    const request: SignInRequest = { target: target.name, auth: credentials };
    if (!target.user) request.username = username.value.trim();
    if (target.freeForm)
      request.address = { host: addressHost.value.trim(), port: Number(addressPort.value) };
    const problem = checkSignInRequest(request);
    if (problem) return fail(problem);
    // Secrets leave the page's fields once sent; the private key stays, as re-picking a file is a chore.
    password.value = '';
    passphrase.value = '';
    handlers.connect(request, target);
  });

  return {
    show(next) {
      const sameTarget = target?.name === next.name;
      target = next;
      title.textContent = next.label;
      usernameField.hidden = next.user !== undefined;
      username.required = next.user === undefined;
      fixedUser.hidden = next.user === undefined;
      fixedUsername.textContent = next.user ?? '';
      addressFields.hidden = next.freeForm === undefined;
      addressHost.required = next.freeForm !== undefined;
      const ports = next.freeForm?.ports.length ? next.freeForm.ports : [22];
      addressPort.replaceChildren(...ports.map((port) => new Option(String(port), String(port))));
      const previousMethod = method.value;
      method.replaceChildren(...next.authMethods.map((m) => new Option(AUTH_METHOD_LABELS[m], m)));
      if (sameTarget && next.authMethods.includes(previousMethod as AuthMethod))
        method.value = previousMethod;
      showMethodFields();
      const firstEmpty = [addressHost, username, password].find(
        (field) => !field.closest<HTMLElement>('[hidden]') && field.value === '',
      );
      (firstEmpty ?? elementById('connect', HTMLButtonElement)).focus();
    },
  };
}
