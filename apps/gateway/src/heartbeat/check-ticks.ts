/**
 * How finely heartbeat checks are scheduled. Every leg's due check waits for the next multiple of
 * this on one shared clock, so a thousand quiet sessions wake the gateway ten times a second, not
 * a thousand: each wake-up sends a batch of keepalives, and their replies come back together.
 * On a 2-core VM a wake-up of its own costs about as much as the keepalive it sends (see
 * docs/heartbeats.md, "What a heartbeat costs"). A check therefore runs up to this much after
 * OpenSSH's due time, never before it: ssh(1) itself, measured, gives up anywhere in a window
 * of several hundred milliseconds around (max + 1) × interval.
 * @default 100
 */
export const CHECK_TICK_MS = 100;

/** The clock and timer a CheckTicks runs on: the real ones, or a test's fakes. */
export interface TickClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `callback` once the event loop has polled for I/O (Node's setImmediate). */
  afterIo(callback: () => void): void;
}

const realClock: TickClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    // Heartbeats never keep the process alive on their own: shutdown closes the sessions.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  afterIo: (callback) => setImmediate(callback),
};

/**
 * One timer for every check due in the same tick. `schedule(at, run)` runs `run` once, at the
 * first tick boundary at or after `at`; scheduling the same `run` again moves it, so a leg holds
 * at most one place. Callbacks of one tick run in the order they were scheduled.
 */
export class CheckTicks {
  /** Tick boundary → the callbacks waiting for it. */
  private readonly slots = new Map<number, Set<() => void>>();
  /** Where each callback waits. */
  private readonly placed = new Map<() => void, number>();
  private timer: unknown;
  /** The boundary the timer is armed for. */
  private timerAt: number | undefined;
  /** A late wake-up already let pending I/O be read; the due checks run now. */
  private yieldedToIo = false;

  constructor(
    readonly tickMs: number = CHECK_TICK_MS,
    private readonly clock: TickClock = realClock,
  ) {}

  schedule(at: number, run: () => void): void {
    const boundary = Math.ceil(at / this.tickMs) * this.tickMs;
    if (this.placed.get(run) === boundary) return;
    this.cancel(run);
    let slot = this.slots.get(boundary);
    if (!slot) {
      slot = new Set();
      this.slots.set(boundary, slot);
    }
    slot.add(run);
    this.placed.set(run, boundary);
    if (this.timerAt === undefined || boundary < this.timerAt) this.arm(boundary);
  }

  cancel(run: () => void): void {
    const boundary = this.placed.get(run);
    if (boundary === undefined) return;
    this.placed.delete(run);
    const slot = this.slots.get(boundary);
    slot?.delete(run);
    // An empty slot stays until its tick passes: re-arming for the next one would cost more
    // than one wake-up that finds nothing to do.
  }

  /** Callbacks waiting, for tests and the admin view. */
  get pending(): number {
    return this.placed.size;
  }

  private arm(boundary: number) {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = boundary;
    // Node's timers count whole milliseconds from the event loop's cached clock, which can lag
    // now() by the turn's work: rounding up and one more millisecond keep the wake-up from
    // landing just before the boundary, finding nothing due and waking again.
    const wait = Math.max(0, Math.ceil(boundary - this.clock.now())) + 1;
    this.timer = this.clock.setTimeout(() => this.fire(), wait);
  }

  private fire() {
    this.timer = undefined;
    this.timerAt = undefined;
    const now = this.clock.now();
    const earliest = Math.min(...this.slots.keys());
    // Woken more than a tick late, the process was stuck (an overloaded machine, a long pause,
    // or stuck in the very callbacks of the last tick): replies may be waiting unread in the
    // kernel. ssh(1) reads pending input before it judges a due check; so do we, by running the
    // due checks once the event loop has polled for I/O.
    if (!this.yieldedToIo && now - earliest > this.tickMs) {
      this.yieldedToIo = true;
      this.clock.afterIo(() => this.fire());
      return;
    }
    this.yieldedToIo = false;
    for (const boundary of [...this.slots.keys()].sort((a, b) => a - b)) {
      if (boundary > now) break;
      const slot = this.slots.get(boundary);
      this.slots.delete(boundary);
      for (const run of slot ?? []) {
        this.placed.delete(run);
        run();
      }
    }
    let next: number | undefined;
    for (const boundary of this.slots.keys()) if (next === undefined || boundary < next) next = boundary;
    if (next !== undefined && (this.timerAt === undefined || next < this.timerAt)) this.arm(next);
  }
}
