/** How a session sizes the output it keeps in flight to one page (FLOW_CONTROL holds Vigil's). */
export interface WindowRule {
  /** Keep in flight what the page parses in this long (plus the round trip the acks take). */
  targetDrainMs: number;
  windowFloor: number;
  windowCeiling: number;
  /** Before the first measurement. */
  initialWindow: number;
  /**
   * The page acknowledges at least this often; a busy span holds at least this much or it is
   * extended to the next ack. A few bytes measure latency, not parsing: a page acknowledging the
   * echo of Enter while the output Enter started is still on its way looks busy (it has not
   * reached what had been sent), and its 2 bytes in 100 ms once set a flood's window to the floor.
   */
  ackEveryBytes: number;
}

/**
 * Acks closer together than this are folded into one span. A busy page's acks reach the gateway
 * in bursts (they wait behind its parsing and drawing), so a short span measures the burst, not
 * the page: with 16 ms spans the estimate ran at twice what the page then drained after Ctrl-C.
 * One target drain time (100 ms) averages over the page's own rhythm of parse and paint.
 * @default 100
 */
export const MIN_SAMPLE_MS = 100;

/** Weight of a new busy span in the estimate: a page that speeds up or slows down is followed within a few acks. */
export const SMOOTHING = 0.5;

/** The SSH channel window granted to the server for a flow window of `window` bytes (see channelWindowFor). */
export const CHANNEL_WINDOW = { packet: 32 * 1024, min: 64 * 1024, max: 2 * 1024 * 1024 } as const;

interface Span {
  at: number;
  /** Acknowledged position at the span's start. */
  position: number;
  /** Output sent to the page by then. */
  sent: number;
}

/**
 * One attached page's drain rate, learnt from its acknowledgements, and the flow window it earns.
 *
 * A span between two acks measures the page's parsing speed only if the page was busy all along:
 * when everything it acknowledged by the end had already been sent at the start (`start.sent >
 * end position`), it never waited for output, so bytes over time is its rate (smoothed). Any
 * other span is the page keeping up with the shell, a lower bound only: the estimate may rise
 * to it but never falls because of it, or an idle prompt would shrink the window of a fast page.
 * Every estimate is per attachment: a reattaching page, maybe on another machine, starts afresh.
 */
export class DrainRate {
  private span: Span | undefined;
  /** Bytes per millisecond; undefined until measured. */
  private rate: number | undefined;

  constructor(
    private readonly rule: WindowRule,
    private readonly now: () => number,
  ) {}

  /** The page acknowledged `position` while `sent` bytes had been sent to it. */
  acked(position: number, sent: number): void {
    const at = this.now();
    const start = this.span;
    if (!start || position < start.position) {
      this.span = { at, position, sent };
      return;
    }
    const elapsed = at - start.at;
    if (elapsed < MIN_SAMPLE_MS) return;
    const sample = (position - start.position) / elapsed;
    if (start.sent > position) {
      if (position - start.position < this.rule.ackEveryBytes) return;
      this.rate = this.rate === undefined ? sample : this.rate + SMOOTHING * (sample - this.rate);
    } else {
      // Before any busy span the initial window stands for the estimate: only more can replace it.
      const known = this.rate ?? this.rule.initialWindow / this.rule.targetDrainMs;
      if (sample > known) this.rate = sample;
    }
    this.span = { at, position, sent };
  }

  /** Bytes per second, or undefined before the first measurement. */
  get bytesPerSecond(): number | undefined {
    return this.rate === undefined ? undefined : this.rate * 1000;
  }

  /** Bytes the session may have sent but unacknowledged; `roundTripMs` is the page's leg, when known. */
  window(roundTripMs = 0): number {
    const { rule } = this;
    if (this.rate === undefined) return rule.initialWindow;
    const wanted = this.rate * (rule.targetDrainMs + roundTripMs);
    return Math.round(Math.min(rule.windowCeiling, Math.max(rule.windowFloor, wanted)));
  }
}

/**
 * The SSH channel window that goes with a flow window: what the server may still send after the
 * gateway pauses. Half the flow window (whole packets, between CHANNEL_WINDOW.min and .max), so
 * that after a Ctrl-C at most 1.5 windows are still to be parsed by the page.
 */
export function channelWindowFor(window: number): number {
  const { packet, min, max } = CHANNEL_WINDOW;
  const packets = Math.round(window / 2 / packet) * packet;
  return Math.min(max, Math.max(min, packets));
}
