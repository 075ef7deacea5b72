/** Round-trip figures on the badge refresh at most this often; states change at once. */
export const RTT_REFRESH_MS = 5000;

/**
 * Decides when to push health to the page: at once when a state a person reads changed (live,
 * missed N of M, lost, on either leg), otherwise once `refreshMs` has passed, which refreshes
 * the round-trip figures and keeps the page's watchdog fed. Deciding needs no snapshot and no
 * message, so the keepalive replies of a thousand quiet sessions cost almost nothing here.
 */
export class HealthPushPolicy {
  private lastState: string | undefined;
  private lastPushAt = Number.NEGATIVE_INFINITY;

  /** `refreshMs` at most the browser interval: the page's watchdog expects a word that often. */
  constructor(private readonly refreshMs: number) {}

  shouldPush(visibleState: string, now: number): boolean {
    if (visibleState === this.lastState && now - this.lastPushAt < this.refreshMs) return false;
    this.lastState = visibleState;
    this.lastPushAt = now;
    return true;
  }
}
