import { createHash, randomBytes } from 'node:crypto';
import type { GatewayUser } from './gateway-user.js';

/**
 * Server-side sign-in sessions behind an opaque cookie token. Only a SHA-256 of each token is
 * kept, so a memory dump or log line cannot be replayed as a cookie, and lookup by hash does not
 * leak timing about the token itself.
 */
export class SignInSessions {
  private readonly sessions = new Map<string, { user: GatewayUser; expiresAt: number }>();

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
    if (token) this.sessions.delete(SignInSessions.key(token));
  }
}
