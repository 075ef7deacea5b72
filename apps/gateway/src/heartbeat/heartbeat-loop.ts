import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ServerAliveMonitor, type ServerAliveOptions, type ServerAliveSnapshot } from '@vigil/health';
import { CheckTicks } from './check-ticks.js';

/** The gateway's one schedule of heartbeat checks: every leg of every session waits on it. */
export const processTicks = new CheckTicks();

interface LoopEvents {
  /** Health changed: state, missed count or a new round trip (`snapshot()` has the figures). */
  change: [];
  /** A reply arrived after this many milliseconds. */
  rtt: [ms: number];
  /** One more probe went a whole interval unanswered. */
  miss: [];
  /** A counted probe (a keepalive, not the uncounted first one) was just sent. */
  probe: [];
  timeout: [];
}

/**
 * Runs the pure ServerAliveMonitor against a live leg: the owner reports inbound traffic and
 * replies, the loop fires at each due check and calls `sendProbe`. Reporting traffic costs one
 * assignment, so a flood does not pay for heartbeats. Serves the SSH leg (keepalive@openssh.com)
 * and the browser leg (WebSocket ping) alike.
 */
export class HeartbeatLoop extends EventEmitter<LoopEvents> {
  private readonly monitor: ServerAliveMonitor;
  private reportedMissed = false;
  private stopped = false;
  private readonly onTimer = () => this.fire();

  constructor(
    options: ServerAliveOptions,
    private readonly sendProbe: (id: number) => void,
    private readonly ticks: CheckTicks = processTicks,
  ) {
    super();
    // Checks run on the shared ticks, up to a tick late (and the wake-up's own lag): the monitor
    // must not count that lateness into the next check.
    const checkGrainMs = 2 * ticks.tickMs;
    this.monitor = new ServerAliveMonitor({ ...options, checkGrainMs }, performance.now());
    this.arm();
  }

  /** Anything arrived on this leg. */
  received(): void {
    this.monitor.received(performance.now());
    if (this.reportedMissed) this.publish();
  }

  /**
   * One uncounted probe now, so the person sees a round trip within a second instead of after
   * the first interval of silence; the OpenSSH count and schedule ignore it (see uncountedProbe).
   */
  measureNow(): void {
    const id = this.monitor.uncountedProbe(performance.now());
    if (id !== undefined) this.sendProbe(id);
  }

  /** The peer answered probe `id`. */
  replied(id: number): void {
    const rtt = this.monitor.replied(id, performance.now());
    if (rtt === undefined) return;
    // The reply moved the due check an interval on: waking at the old time would only find
    // nothing due and wake again, two wake-ups per beat instead of one.
    this.arm();
    this.emit('rtt', rtt);
    this.publish();
  }

  snapshot(): ServerAliveSnapshot {
    return this.monitor.snapshot(performance.now());
  }

  get state(): ServerAliveSnapshot['state'] {
    return this.monitor.state;
  }

  get missed(): number {
    return this.monitor.missed;
  }

  get measured(): boolean {
    return this.monitor.measured;
  }

  stop(): void {
    this.stopped = true;
    this.ticks.cancel(this.onTimer);
  }

  private publish() {
    if (this.stopped) return;
    this.reportedMissed = this.monitor.state === 'missed';
    this.emit('change');
  }

  private arm() {
    const at = this.monitor.nextCheck;
    if (at === undefined || this.stopped) return this.ticks.cancel(this.onTimer);
    this.ticks.schedule(at, this.onTimer);
  }

  private fire() {
    const decision = this.monitor.check(performance.now());
    if (decision.kind === 'timeout') {
      this.publish();
      this.stop();
      this.emit('timeout');
      return;
    }
    if (decision.kind === 'send') {
      this.sendProbe(decision.id);
      this.emit('probe');
      // A probe just sent is not yet a miss; report only once the count says one was missed.
      if (this.monitor.state === 'missed') {
        this.emit('miss');
        this.publish();
      }
    }
    this.arm();
  }
}
