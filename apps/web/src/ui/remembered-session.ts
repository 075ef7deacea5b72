const KEY = 'vigil.sessionId';

/**
 * The session this tab follows, in sessionStorage: it survives a reload of the tab and nothing
 * else (another tab has its own), so a reload can take its session up again by itself.
 */
export interface RememberedSession {
  get(): string | undefined;
  set(sessionId: string): void;
  forget(): void;
}

/** Storage can be refused (privacy settings, sandboxed frames); the page then just does not remember. */
export function createRememberedSession(
  storage: () => Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = () => window.sessionStorage,
): RememberedSession {
  const attempt = <T>(use: (store: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) => T) => {
    try {
      return use(storage());
    } catch {
      return undefined;
    }
  };
  return {
    get: () => attempt((store) => store.getItem(KEY)) ?? undefined,
    set: (sessionId) => attempt((store) => store.setItem(KEY, sessionId)),
    forget: () => attempt((store) => store.removeItem(KEY)),
  };
}
