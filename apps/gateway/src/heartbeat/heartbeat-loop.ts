import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ServerAliveMonitor, type ServerAliveOptions, type ServerAliveSnapshot } from '@vigil/health';

interface LoopEvents {
  /** Health changed: state, missed count or a new round trip (`snapshot()` has the figures). */
  change: [];
  /** A reply arrived after this many milliseconds. */
  rtt: [ms: number];
  /** One more probe went a whole interval unanswered. */
  miss: [];
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
  private timer: NodeJS.Timeout | undefined;
  private reportedMissed = false;
  private stopped = false;
  private readonly onTimer = () => this.fire();

  constructor(
    options: ServerAliveOptions,
    private readonly sendProbe: (id: number) => void,
  ) {
    super();
    this.monitor = new ServerAliveMonitor(options, performance.now());
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
    // nothing due and wake again, two timer turns per beat instead of one.
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
    clearTimeout(this.timer);
  }

  private publish() {
    if (this.stopped) return;
    this.reportedMissed = this.monitor.state === 'missed';
    this.emit('change');
  }

  private arm() {
    clearTimeout(this.timer);
    const at = this.monitor.nextCheck;
    if (at === undefined || this.stopped) return;
    // Whole milliseconds: Node keeps one timer list per duration, so a thousand loops armed for
    // 1000 ms share one list instead of each adding a list of its own to the timer heap. Node
    // counts from the event loop's cached clock, which can lag performance.now() by the turn's
    // work; the extra millisecond keeps the wake from landing just before the due time.
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(at - performance.now())) + 1);
    this.timer.unref();
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
      // A probe just sent is not yet a miss; report only once the count says one was missed.
      if (this.monitor.state === 'missed') {
        this.emit('miss');
        this.publish();
      }
    }
    this.arm();
  }
}
