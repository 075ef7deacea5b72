import { elementById } from './element-by-id.js';

export type PageView = 'targets' | 'signin' | 'terminal';

/** The three screens of the page; exactly one is shown at a time. */
export function createPageViews(): { show(view: PageView): void } {
  const sections: Record<PageView, HTMLElement> = {
    targets: elementById('targets-view', HTMLElement),
    signin: elementById('signin-view', HTMLElement),
    terminal: elementById('terminal-view', HTMLElement),
  };
  return {
    show(view) {
      for (const [name, section] of Object.entries(sections)) section.hidden = name !== view;
    },
  };
}
