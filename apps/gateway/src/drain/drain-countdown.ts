import type { TickClock } from '../heartbeat/check-ticks.js';

/** Why a drain ended: the replica then closes what is left, as a shutdown does, and exits. */
export type DrainEnd = 'last-session-ended' | 'drain-limit' | 'second-signal';

/**
 * When a draining replica (cluster mode, after SIGTERM) stops waiting: once its last session
 * has ended, once the drain limit has passed, or at a second signal, whichever comes first.
 * Decides only; the caller refuses new sessions meanwhile and closes the rest at the end.
 */
export class DrainCountdown {
  private startedAt: number | undefined;
  private timer: unknown;
  private over = false;

  constructor(
    private readonly limitMs: number,
    private readonly clock: TickClock,
    private readonly ended: (why: DrainEnd) => void,
  ) {}

  /** From the first signal on, for good. */
  get draining(): boolean {
    return this.startedAt !== undefined;
  }

  /**
   * A SIGTERM: the first starts the drain with `sessions` still running (none: it ends at once);
   * another one ends it at once.
   */
  signal(sessions: number): void {
    if (this.over) return;
    if (this.startedAt !== undefined) {
      this.end('second-signal');
      return;
    }
    this.startedAt = this.clock.now();
    if (sessions === 0) this.end('last-session-ended');
    else this.timer = this.clock.setTimeout(() => this.end('drain-limit'), this.limitMs);
  }

  /** No session is left running. */
  emptied(): void {
    if (this.startedAt !== undefined) this.end('last-session-ended');
  }

  /** Milliseconds before the limit closes what still runs; undefined when not draining. */
  leftMs(): number | undefined {
    if (this.startedAt === undefined) return undefined;
    return Math.max(0, this.startedAt + this.limitMs - this.clock.now());
  }

  private end(why: DrainEnd) {
    if (this.over) return;
    this.over = true;
    this.clock.clearTimeout(this.timer);
    this.ended(why);
  }
}
