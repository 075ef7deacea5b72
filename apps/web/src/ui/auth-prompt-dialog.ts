import type { AuthPrompt } from '../transport/session-connection.js';
import { elementById } from './element-by-id.js';

export interface AuthPromptDialog {
  /** Shows one keyboard-interactive round; resolves with the answers in prompt order, or undefined if cancelled. */
  ask(prompt: AuthPrompt): Promise<string[] | undefined>;
  /** Dismisses an open round as cancelled (the session ended under it). */
  close(): void;
}

/** `#auth-prompt`: a modal form with one input per prompt, `type=password` where the server asked for no echo. */
export function createAuthPromptDialog(): AuthPromptDialog {
  const dialog = elementById('auth-prompt', HTMLDialogElement);
  const form = elementById('auth-prompt-form', HTMLFormElement);
  const title = elementById('auth-prompt-title', HTMLElement);
  const instructions = elementById('auth-prompt-instructions', HTMLElement);
  const fields = elementById('auth-prompt-fields', HTMLElement);
  let settle: ((answers: string[] | undefined) => void) | undefined;

  const finish = (answers: string[] | undefined) => {
    const resolve = settle;
    settle = undefined;
    if (dialog.open) dialog.close();
    // Answers are secrets: they do not stay in the page once handed over.
    fields.replaceChildren();
    resolve?.(answers);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    finish([...fields.querySelectorAll('input')].map((input) => input.value));
  });
  elementById('auth-cancel', HTMLButtonElement).addEventListener('click', () => finish(undefined));
  // Escape closes a modal dialog; for this dialog that means giving up on signing in.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    finish(undefined);
  });

  return {
    ask(prompt) {
      finish(undefined);
      title.textContent = prompt.name || 'The server asks';
      instructions.textContent = prompt.instructions;
      instructions.hidden = prompt.instructions === '';
      fields.replaceChildren(...prompt.prompts.map((p, index) => promptField(p, index)));
      dialog.showModal();
      fields.querySelector('input')?.focus();
      return new Promise((resolve) => {
        settle = resolve;
      });
    },
    close() {
      finish(undefined);
    },
  };
}

function promptField(prompt: AuthPrompt['prompts'][number], index: number): HTMLElement {
  const id = `auth-prompt-input-${index}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = prompt.prompt;
  const input = document.createElement('input');
  input.id = id;
  input.name = id;
  input.dataset.promptIndex = String(index);
  input.type = prompt.echo ? 'text' : 'password';
  input.autocomplete = prompt.echo ? 'off' : 'one-time-code';
  input.spellcheck = false;
  input.autocapitalize = 'off';
  const field = document.createElement('div');
  field.className = 'field';
  field.append(label, input);
  return field;
}
