import { elementById } from './element-by-id.js';

/**
 * The page's screens, each a `<main>` of index.html, exactly one shown: the session flow (its
 * targets, sign-in form and terminal, switched by page-views.ts), and the gateway's own sign-in,
 * audit trail and recording player. Hiding the session flow leaves its terminal and socket alone.
 */
export type AppScreen = 'session' | 'sign-in' | 'audit' | 'player';

export interface AppScreens {
  readonly current: AppScreen;
  show(screen: AppScreen): void;
}

export function createAppScreens(): AppScreens {
  const elements: Record<AppScreen, HTMLElement> = {
    session: elementById('session-screens', HTMLElement),
    'sign-in': elementById('sign-in', HTMLElement),
    audit: elementById('audit', HTMLElement),
    player: elementById('player', HTMLElement),
  };
  let current: AppScreen = 'session';
  return {
    get current() {
      return current;
    },
    show(screen) {
      current = screen;
      for (const [name, element] of Object.entries(elements)) element.hidden = name !== screen;
    },
  };
}
