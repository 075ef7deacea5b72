/** Round-trip figures on the badge refresh at most this often; states change at once. */
export const RTT_REFRESH_MS = 5000;

/** What a person reads of one leg apart from its figures (a HeartbeatLoop is one). */
export interface VisibleLeg {
  state: string;
  missed: number;
  /** Dashes on the badge's panel until the first round trip, then a figure. */
  measured: boolean;
}

/** Both legs as the badge shows them: a change of this string is pushed at once. */
export function visibleHealth(ssh: VisibleLeg, browser: VisibleLeg): string {
  const leg = ({ state, missed, measured }: VisibleLeg) => `${state}${missed}${measured ? '' : '-'}`;
  return `${leg(ssh)}/${leg(browser)}`;
}

/**
 * Decides when to push health to the page: at once when a state a person reads changed (live,
 * missed N of M, lost, the first round trip in place of dashes, on either leg), otherwise once `refreshMs` has passed, which refreshes
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
