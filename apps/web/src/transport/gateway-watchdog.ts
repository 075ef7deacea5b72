/**
 * Slack on top of the gateway's own deadline, for the round trip and a busy main thread.
 * @default 5000
 */
const WATCHDOG_GRACE_MS = 5000;

/** The browser leg as the last `health` message described it: how often the gateway pings us. */
export interface WatchedLeg {
  intervalMs: number;
  countMax: number;
}

export type WatchdogDecision =
  | { kind: 'wait' }
  /** Nothing at all arrived for `silentMs`: the gateway leg is dead. */
  | { kind: 'dead'; silentMs: number };

/**
 * The page's own judgement of the gateway leg, as a pure machine (clock passed in). The gateway
 * pings a silent browser every `intervalMs` and, as OpenSSH does, gives up after `countMax`
 * unanswered pings; each answer makes it push a `health` message. So a page that heard no frame
 * for `(countMax + 1) × intervalMs + grace` would have been dropped by the gateway by now.
 *
 * A hidden tab's timers are throttled and a frozen page runs none, and on waking its queued
 * frames may be delivered after the overdue timer. So a late check, or a wake, never condemns at
 * once: it opens a fresh window of `intervalMs + grace` in which any frame proves the leg alive.
 */
export class GatewayWatchdog {
  private leg: WatchedLeg | undefined;
  private lastHeardAt: number;
  private deadline: number | undefined;
  private over = false;

  constructor(
    now: number,
    private readonly graceMs = WATCHDOG_GRACE_MS,
  ) {
    this.lastHeardAt = now;
  }

  /** When the shell should call `check`; undefined while not judging (no health yet, or over). */
  get nextCheck(): number | undefined {
    return this.over ? undefined : this.deadline;
  }

  /** Any frame from the gateway, binary or text. */
  heard(now: number): void {
    this.lastHeardAt = now;
    if (this.leg) this.deadline = now + this.patienceMs(this.leg);
  }

  /** The browser leg of a `health` message; judging starts with the first one. */
  configure(leg: WatchedLeg, now: number): void {
    if (this.over) return;
    // A leg without pings gives no rhythm to judge by (the gateway's schema forbids it anyway).
    if (leg.intervalMs <= 0) {
      this.leg = undefined;
      this.deadline = undefined;
      return;
    }
    this.leg = { intervalMs: leg.intervalMs, countMax: leg.countMax };
    this.heard(now);
  }

  /** The page became visible again or was unfrozen: its sense of time is not to be trusted yet. */
  woke(now: number): void {
    this.giveGrace(now);
  }

  /**
   * A check, `scheduledFor` being when the shell meant it to run. Later than that by more than
   * one interval means the page was throttled or frozen, and silence proves nothing yet.
   */
  check(now: number, scheduledFor: number): WatchdogDecision {
    const leg = this.leg;
    if (this.over || !leg || this.deadline === undefined || now < this.deadline) return { kind: 'wait' };
    if (now - scheduledFor > leg.intervalMs) {
      this.giveGrace(now);
      return { kind: 'wait' };
    }
    this.over = true;
    return { kind: 'dead', silentMs: now - this.lastHeardAt };
  }

  private giveGrace(now: number) {
    if (this.over || !this.leg || this.deadline === undefined) return;
    this.deadline = Math.max(this.deadline, now + this.leg.intervalMs + this.graceMs);
  }

  private patienceMs(leg: WatchedLeg) {
    return (leg.countMax + 1) * leg.intervalMs + this.graceMs;
  }
}
