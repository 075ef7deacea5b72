import { elementById } from './element-by-id.js';

/** The header's status (`#status`, polite) and error (`#error`, an alert) lines. */
export interface StatusLine {
  set(text: string): void;
  showError(text: string): void;
  clearError(): void;
}

export function createStatusLine(): StatusLine {
  const status = elementById('status', HTMLElement);
  const error = elementById('error', HTMLElement);
  return {
    set(text) {
      status.textContent = text;
    },
    showError(text) {
      error.textContent = text;
      error.hidden = false;
    },
    clearError() {
      error.textContent = '';
      error.hidden = true;
    },
  };
}
