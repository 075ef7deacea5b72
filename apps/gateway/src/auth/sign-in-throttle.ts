/**
 * Failed sign-ins per user name within a window. Per-address limits alone let a botnet guess one
 * account slowly from many addresses; this caps guesses per account wherever they come from, and
 * on the shared side of the storage seam, whichever replica they reach.
 */
export interface SignInThrottle {
  isBlocked(name: string): Promise<boolean>;
  failed(name: string): Promise<void>;
  succeeded(name: string): Promise<void>;
}

/** How many failures within how long block a name. */
export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
}

/** The gateway's rule: 5 failures within 15 minutes. */
export const SIGN_IN_THROTTLE: ThrottleRule = { maxFailures: 5, windowMs: 15 * 60_000 };

/** One process's throttle, in memory (the local side). */
export class MemorySignInThrottle implements SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rule: ThrottleRule = SIGN_IN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(name: string): number[] {
    const since = this.now() - this.rule.windowMs;
    const recent = (this.failures.get(name) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(name);
    else this.failures.set(name, recent);
    return recent;
  }

  async isBlocked(name: string): Promise<boolean> {
    return this.recent(name).length >= this.rule.maxFailures;
  }

  async failed(name: string): Promise<void> {
    this.failures.set(name, [...this.recent(name), this.now()]);
  }

  async succeeded(name: string): Promise<void> {
    this.failures.delete(name);
  }
}
