import type { TargetSummary } from '@vigil/protocol';
import { elementById } from './element-by-id.js';
import { targetDetailsText } from './target-words.js';

export interface TargetPicker {
  loading(): void;
  show(targets: TargetSummary[]): void;
  failed(): void;
}

/** `#targets`: one button per allowlisted target, `[data-target="<name>"]`. */
export function createTargetPicker(handlers: {
  pick(target: TargetSummary): void;
  retry(): void;
}): TargetPicker {
  const list = elementById('targets', HTMLUListElement);
  const message = elementById('targets-message', HTMLElement);
  const retry = elementById('targets-retry', HTMLButtonElement);
  retry.addEventListener('click', () => handlers.retry());

  const say = (text: string, canRetry: boolean) => {
    message.textContent = text;
    message.hidden = text === '';
    retry.hidden = !canRetry;
  };

  return {
    loading() {
      list.replaceChildren();
      list.setAttribute('aria-busy', 'true');
      say('Loading targets…', false);
    },
    show(targets) {
      list.removeAttribute('aria-busy');
      list.replaceChildren(...targets.map((target) => targetItem(target, handlers.pick)));
      say(targets.length === 0 ? 'This gateway has no targets configured.' : '', targets.length === 0);
      list.querySelector('button')?.focus();
    },
    failed() {
      list.removeAttribute('aria-busy');
      list.replaceChildren();
      // The reason is in the page's alert line; here, only what to do about it.
      say('The targets could not be loaded.', true);
      retry.focus();
    },
  };
}

/** The two lines a target is listed with: its name, then its details (target-label, target-details). */
export function targetLines(label: string, details: string): [HTMLSpanElement, HTMLSpanElement] {
  const labelLine = document.createElement('span');
  labelLine.className = 'target-label';
  labelLine.textContent = label;
  const detailsLine = document.createElement('span');
  detailsLine.className = 'target-details';
  detailsLine.textContent = details;
  return [labelLine, detailsLine];
}

function targetItem(target: TargetSummary, pick: (target: TargetSummary) => void): HTMLLIElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'target';
  button.dataset.target = target.name;
  button.append(...targetLines(target.label, targetDetailsText(target)));
  button.addEventListener('click', () => pick(target));
  const item = document.createElement('li');
  item.append(button);
  return item;
}
