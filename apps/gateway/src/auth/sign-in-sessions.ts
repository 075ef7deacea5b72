import { createHash, randomBytes } from 'node:crypto';
import type { GatewayUser } from './gateway-user.js';

/**
 * Server-side sign-in sessions behind an opaque cookie token. Only a SHA-256 of each token is
 * kept, so a memory dump or log line cannot be replayed as a cookie, and lookup by hash does not
 * leak timing about the token itself.
 */
export class SignInSessions {
  private readonly sessions = new Map<string, { user: GatewayUser; expiresAt: number }>();
  /** Who wants to know when a sign-in ends, by key. */
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  create(user: GatewayUser): string {
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(SignInSessions.key(token), { user, expiresAt: this.now() + this.lifetimeMs });
    return token;
  }

  find(token: string | undefined): GatewayUser | undefined {
    if (!token) return undefined;
    const key = SignInSessions.key(token);
    const entry = this.sessions.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    return entry.user;
  }

  end(token: string | undefined): void {
    if (token) this.ended(SignInSessions.key(token));
  }

  /**
   * Calls `ended` once the sign-in behind `token` ends: signed out, or its lifetime run out.
   * @returns the way to stop watching
   */
  watch(token: string, ended: () => void): () => void {
    const key = SignInSessions.key(token);
    const entry = this.sessions.get(key);
    if (!entry) {
      ended();
      return () => {};
    }
    const watchers = this.watchers.get(key) ?? new Set();
    this.watchers.set(key, watchers);
    watchers.add(ended);
    const timer = setTimeout(() => this.ended(key), Math.max(0, entry.expiresAt - this.now()));
    timer.unref();
    return () => {
      clearTimeout(timer);
      watchers.delete(ended);
      if (watchers.size === 0) this.watchers.delete(key);
    };
  }

  private ended(key: string) {
    this.sessions.delete(key);
    const watchers = this.watchers.get(key);
    this.watchers.delete(key);
    for (const ended of watchers ?? []) ended();
  }
}
