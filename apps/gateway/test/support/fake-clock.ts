import type { TickClock } from '../../src/heartbeat/check-ticks.js';

/** A clock that moves only when told, with the timers armed on it. */
export class FakeClock implements TickClock {
  at = 0;
  private nextHandle = 1;
  readonly timers = new Map<number, { due: number; callback: () => void }>();
  /** Every wait a timer was armed with, in order. */
  readonly waits: number[] = [];

  now() {
    return this.at;
  }

  setTimeout(callback: () => void, ms: number) {
    const handle = this.nextHandle++;
    this.timers.set(handle, { due: this.at + ms, callback });
    this.waits.push(ms);
    return handle;
  }

  clearTimeout(handle: unknown) {
    this.timers.delete(handle as number);
  }

  /** What runs after the next poll for I/O, which `advance` does after each timer. */
  private readonly afterPoll: (() => void)[] = [];
  /** Called when the loop polls for I/O: a test's stand-in for replies being read. */
  onPoll: () => void = () => {};

  afterIo(callback: () => void) {
    this.afterPoll.push(callback);
  }

  private poll() {
    if (this.afterPoll.length === 0) return;
    this.onPoll();
    for (const callback of this.afterPoll.splice(0)) callback();
  }

  /** Moves to `to`, firing each timer due on the way at its own time. Returns how many fired. */
  advance(to: number): number {
    let fired = 0;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a[1].due - b[1].due)[0];
      if (!next || next[1].due > to) break;
      this.timers.delete(next[0]);
      this.at = next[1].due;
      next[1].callback();
      this.poll();
      fired++;
    }
    this.at = to;
    return fired;
  }
}
