import { elementById } from './element-by-id.js';
import { accountTitle, type GatewayUser } from './sign-in-words.js';

export interface AccountBar {
  /** Who is signed in; undefined hides the bar (no sign-in here, or nobody signed in yet). */
  show(user: GatewayUser | undefined): void;
}

/** `#account` in the header: the signed-in name, `#open-audit` for administrators, `#logout`. */
export function createAccountBar(handlers: { openAudit(): void; logOut(): void }): AccountBar {
  const bar = elementById('account', HTMLElement);
  const name = elementById('account-name', HTMLElement);
  const openAudit = elementById('open-audit', HTMLButtonElement);
  const logOut = elementById('logout', HTMLButtonElement);
  openAudit.addEventListener('click', () => handlers.openAudit());
  logOut.addEventListener('click', () => {
    logOut.disabled = true;
    handlers.logOut();
  });
  return {
    show(user) {
      bar.hidden = user === undefined;
      name.textContent = user?.name ?? '';
      name.title = user ? accountTitle(user) : '';
      // The gateway refuses the audit trail to others anyway; the link is only left out.
      openAudit.hidden = !user?.admin;
      logOut.disabled = false;
    },
  };
}
