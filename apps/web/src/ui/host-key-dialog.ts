import type { HostKeyOffer } from '../transport/session-connection.js';
import { elementById } from './element-by-id.js';
import { hostKeyQuestion } from './session-words.js';

export interface HostKeyDialog {
  /** Asks whether to trust an unknown host key; resolves true only on an explicit Accept. */
  ask(offer: HostKeyOffer): Promise<boolean>;
  /** Dismisses an open question as rejected (the session ended under it). */
  close(): void;
}

/** `#host-key-dialog`: OpenSSH's trust-on-first-use question, with Accept and Reject. */
export function createHostKeyDialog(): HostKeyDialog {
  const dialog = elementById('host-key-dialog', HTMLDialogElement);
  const host = elementById('host-key-host', HTMLElement);
  const keyType = elementById('host-key-type', HTMLElement);
  const fingerprint = elementById('host-key-fingerprint', HTMLElement);
  const accept = elementById('host-key-accept', HTMLButtonElement);
  const reject = elementById('host-key-reject', HTMLButtonElement);
  let settle: ((accepted: boolean) => void) | undefined;

  const finish = (accepted: boolean) => {
    const resolve = settle;
    settle = undefined;
    if (dialog.open) dialog.close();
    resolve?.(accepted);
  };

  accept.addEventListener('click', () => finish(true));
  reject.addEventListener('click', () => finish(false));
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    finish(false);
  });

  return {
    ask(offer) {
      finish(false);
      const question = hostKeyQuestion(offer);
      host.textContent = question.host;
      keyType.textContent = question.keyType;
      fingerprint.textContent = question.fingerprint;
      dialog.showModal();
      // Enter must not trust a key by reflex: the safe answer has the focus, as OpenSSH wants a typed "yes".
      reject.focus();
      return new Promise((resolve) => {
        settle = resolve;
      });
    },
    close() {
      finish(false);
    },
  };
}
