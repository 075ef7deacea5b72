/** How often every replica looks for replicas whose lease ran out. */
export const SWEEP_EVERY_MS = 1_000;

/**
 * When a replica renews its lease and when it may sweep others' expired ones, from the lease
 * length alone (pure: the caller brings the clock). It renews every third of the lease, so two
 * renewals can fail before the lease runs out; a failed one is retried soon (a tenth of the
 * lease, at most a second) rather than a third later.
 *
 * The sweep waits until this replica has been in touch with the database for a whole renew
 * period plus a retry: after the database was gone for longer than a lease, every lease has
 * run out, and the first replica back must not end the others' sessions before they too had
 * the chance to renew.
 */
export class LeaseSchedule {
  readonly renewEveryMs: number;
  readonly retryMs: number;
  /** Since when every renewal succeeded; undefined while the last one failed. */
  private inTouchSince: number | undefined;
  private nextRenew: number;

  constructor(leaseSeconds: number, joinedAt: number) {
    this.renewEveryMs = (leaseSeconds * 1000) / 3;
    this.retryMs = Math.min(1000, leaseSeconds * 100);
    this.inTouchSince = joinedAt;
    this.nextRenew = joinedAt + this.renewEveryMs;
  }

  /** When the next renewal is due. */
  renewAt(): number {
    return this.nextRenew;
  }

  renewed(at: number) {
    this.inTouchSince ??= at;
    this.nextRenew = at + this.renewEveryMs;
  }

  renewFailed(at: number) {
    this.inTouchSince = undefined;
    this.nextRenew = at + this.retryMs;
  }

  /** Whether a sweep now could only end sessions of replicas that truly stopped renewing. */
  maySweep(at: number): boolean {
    return this.inTouchSince !== undefined && at - this.inTouchSince >= this.renewEveryMs + this.retryMs;
  }
}
