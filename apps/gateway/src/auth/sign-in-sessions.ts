import { createHash, randomBytes } from 'node:crypto';
import type { GatewayUser } from './gateway-user.js';

/**
 * Server-side sign-in sessions behind an opaque cookie token. Only a SHA-256 of each token is
 * kept, so a memory dump, a log line or a database backup cannot be replayed as a cookie.
 * One process's own (below), or every replica's (storage/shared/postgres-sign-ins.ts).
 */
export interface SignInStore {
  create(user: GatewayUser): Promise<string>;
  find(token: string | undefined): Promise<GatewayUser | undefined>;
  /** Signs out: every replica's sockets opened with this sign-in are told. */
  end(token: string | undefined): Promise<void>;
  /**
   * Calls `ended` once the sign-in behind `token` ends: signed out (on any replica), or its
   * lifetime run out. Call after `find` found it. @returns the way to stop watching
   */
  watch(token: string, ended: () => void): () => void;
}

/** What is stored for a token: never the token itself. */
export function signInKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function newSignInToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Who watches which sign-in, and the timer that ends it at its expiry; both sides of the storage
 * seam tell it when a sign-in ends.
 */
export class SignInWatchers {
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `expiresAt` on this process's clock; undefined: already gone, `ended` is called at once. */
  watch(key: string, expiresAt: number | undefined, ended: () => void): () => void {
    if (expiresAt === undefined) {
      ended();
      return () => {};
    }
    const watchers = this.watchers.get(key) ?? new Set();
    this.watchers.set(key, watchers);
    watchers.add(ended);
    const timer = setTimeout(() => this.ended(key), Math.max(0, expiresAt - this.now()));
    timer.unref();
    return () => {
      clearTimeout(timer);
      watchers.delete(ended);
      if (watchers.size === 0) this.watchers.delete(key);
    };
  }

  /** Keys someone watches, for a side that must re-check them after losing touch. */
  watched(): string[] {
    return [...this.watchers.keys()];
  }

  ended(key: string): void {
    const watchers = this.watchers.get(key);
    this.watchers.delete(key);
    for (const ended of watchers ?? []) ended();
  }
}

/** One process's sign-ins, in memory (the local side). */
export class MemorySignIns implements SignInStore {
  private readonly sessions = new Map<string, { user: GatewayUser; expiresAt: number }>();
  private readonly watchers: SignInWatchers;

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.watchers = new SignInWatchers(now);
  }

  async create(user: GatewayUser): Promise<string> {
    const token = newSignInToken();
    this.sessions.set(signInKey(token), { user, expiresAt: this.now() + this.lifetimeMs });
    return token;
  }

  async find(token: string | undefined): Promise<GatewayUser | undefined> {
    return token === undefined ? undefined : this.live(signInKey(token))?.user;
  }

  async end(token: string | undefined): Promise<void> {
    if (token === undefined) return;
    const key = signInKey(token);
    this.sessions.delete(key);
    this.watchers.ended(key);
  }

  watch(token: string, ended: () => void): () => void {
    const key = signInKey(token);
    return this.watchers.watch(key, this.live(key)?.expiresAt, () => {
      this.sessions.delete(key);
      ended();
    });
  }

  private live(key: string) {
    const entry = this.sessions.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    return entry;
  }
}
