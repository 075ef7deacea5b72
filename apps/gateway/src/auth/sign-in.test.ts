import { afterEach, describe, expect, it, vi } from 'vitest';
import { isGranted, ownerOf } from './gateway-user.js';
import { MemorySignIns } from './sign-in-sessions.js';
import { MemorySignInThrottle } from './sign-in-throttle.js';

const alice = { name: 'alice', groups: ['ops'], admin: false };

describe('MemorySignIns', () => {
  it('finds a user by token until the lifetime ends, and forgets ended sessions', async () => {
    let now = 0;
    const sessions = new MemorySignIns(1000, () => now);
    const token = await sessions.create(alice);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.find(token)).toEqual(alice);
    expect(await sessions.find(`${token}x`)).toBeUndefined();
    expect(await sessions.find(undefined)).toBeUndefined();
    now = 999;
    expect(await sessions.find(token)).toEqual(alice);
    now = 1000;
    expect(await sessions.find(token)).toBeUndefined();
    const other = await sessions.create(alice);
    await sessions.end(other);
    expect(await sessions.find(other)).toBeUndefined();
  });

  describe('watching a sign-in', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('tells every watcher when it is signed out, and no one who stopped watching', async () => {
      const sessions = new MemorySignIns(60_000);
      const token = await sessions.create(alice);
      const heard: string[] = [];
      sessions.watch(token, () => heard.push('first'));
      const stop = sessions.watch(token, () => heard.push('second'));
      stop();
      await sessions.end(token);
      expect(heard).toEqual(['first']);
      await sessions.end(token);
      expect(heard).toEqual(['first']);
    });

    it('tells a watcher when the lifetime runs out, and at once for a sign-in already gone', async () => {
      vi.useFakeTimers({ now: 0 });
      const sessions = new MemorySignIns(60_000);
      const token = await sessions.create(alice);
      let ended = 0;
      sessions.watch(token, () => ended++);
      vi.advanceTimersByTime(59_999);
      expect(ended).toBe(0);
      vi.advanceTimersByTime(1);
      expect(ended).toBe(1);
      expect(await sessions.find(token)).toBeUndefined();
      sessions.watch(token, () => ended++);
      expect(ended).toBe(2);
    });
  });
});

describe('SignInThrottle', () => {
  it('blocks a name after too many failures in the window, and forgives after it', async () => {
    let now = 0;
    const throttle = new MemorySignInThrottle({ maxFailures: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) await throttle.failed('alice');
    expect(await throttle.isBlocked('alice')).toBe(true);
    expect(await throttle.isBlocked('bob')).toBe(false);
    now = 60_001;
    expect(await throttle.isBlocked('alice')).toBe(false);
    await throttle.failed('alice');
    await throttle.succeeded('alice');
    expect(await throttle.isBlocked('alice')).toBe(false);
  });
});

describe('grants and owners', () => {
  it('grants by user name or by group', () => {
    expect(isGranted(alice, { users: ['alice'], groups: [] })).toBe(true);
    expect(isGranted(alice, { users: [], groups: ['ops'] })).toBe(true);
    expect(isGranted(alice, { users: ['bob'], groups: ['dev'] })).toBe(false);
  });

  it('gives signed-in users and anonymous browsers separate owner namespaces', () => {
    expect(ownerOf(alice, 'abc')).toBe('user:alice');
    expect(ownerOf(undefined, 'abc')).toBe('browser:abc');
  });
});
