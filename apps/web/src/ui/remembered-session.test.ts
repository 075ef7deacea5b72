import { describe, expect, it } from 'vitest';
import { createRememberedSession } from './remembered-session.js';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('createRememberedSession', () => {
  it('remembers one session id until told to forget it', () => {
    const storage = memoryStorage();
    const remembered = createRememberedSession(() => storage);
    expect(remembered.get()).toBeUndefined();
    remembered.set('s1');
    remembered.set('s2');
    expect(remembered.get()).toBe('s2');
    remembered.forget();
    expect(remembered.get()).toBeUndefined();
  });

  it('carries on without remembering where storage is refused', () => {
    const remembered = createRememberedSession(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    remembered.set('s1');
    expect(remembered.get()).toBeUndefined();
    expect(() => remembered.forget()).not.toThrow();
  });
});
