import type { LegHealth } from '@vigil/protocol';

/** Rounded as the badge shows it: 0.1 ms below 10 ms, whole milliseconds above. */
function shown(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 10 ? ms.toFixed(1) : ms.toFixed(0);
}

/**
 * What a person can see of one leg's health. Two messages with the same digest look the same on
 * the badge and in the panel (time since the last reply is counted up by the page itself).
 */
export function healthDigest(leg: LegHealth): string {
  return [
    leg.state,
    leg.missed,
    leg.countMax,
    leg.intervalMs,
    shown(leg.lastRttMs),
    shown(leg.rttP50Ms),
    shown(leg.rttP95Ms),
  ].join('|');
}

/**
 * Decides when to push health: at once when anything visible changed, otherwise at least every
 * `maxQuietMs` — the page's watchdog counts on hearing from the gateway once per browser
 * interval. This keeps a thousand healthy sessions from costing a message per keepalive each.
 */
export class HealthPushPolicy {
  private lastDigest: string | undefined;
  private lastPushAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxQuietMs: number) {}

  shouldPush(digest: string, now: number): boolean {
    if (digest === this.lastDigest && now - this.lastPushAt < this.maxQuietMs) return false;
    this.lastDigest = digest;
    this.lastPushAt = now;
    return true;
  }
}
