import { FLOW_CONTROL } from '@vigil/protocol';
import type { Timers } from '../terminal/resize-reporter.js';

/**
 * How long a drained write queue waits before its ack goes out. A flood whose chunks each parse
 * before the next one arrives drains after every chunk; this folds those into one ack per delay.
 * @default 20
 */
export const DRAIN_ACK_DELAY_MS = 20;

export interface OutputAckOptions {
  /** @default FLOW_CONTROL.ackEveryBytes */
  ackEveryBytes?: number;
  /** @default DRAIN_ACK_DELAY_MS */
  drainDelayMs?: number;
}

/**
 * One session's output positions as the page sees them, and when to acknowledge them.
 *
 * - `written`: bytes handed to xterm.js, counted from the session's first byte; what `attach`
 *   asks to resume from, so nothing is shown twice and nothing skipped.
 * - `parsed`: bytes xterm.js has parsed, learnt from `term.write`'s callback (callbacks run in
 *   write order, so each one moves it to the end of its chunk).
 * - `acknowledged`: the last position sent in an `ack`. It trails `parsed` by less than
 *   FLOW_CONTROL.ackEveryBytes, and catches up DRAIN_ACK_DELAY_MS after the queue drains.
 */
export class OutputAcks {
  private writtenTo = 0;
  private parsedTo = 0;
  private ackedTo = 0;
  private drainTimer: unknown;
  private drainPending = false;
  /** Bumped when the count restarts: callbacks of writes counted the old way are ignored. */
  private epoch = 0;
  private readonly ackEveryBytes: number;
  private readonly drainDelayMs: number;

  constructor(
    private readonly sendAck: (position: number) => void,
    private readonly timers: Timers,
    options: OutputAckOptions = {},
  ) {
    this.ackEveryBytes = options.ackEveryBytes ?? FLOW_CONTROL.ackEveryBytes;
    this.drainDelayMs = options.drainDelayMs ?? DRAIN_ACK_DELAY_MS;
  }

  get written(): number {
    return this.writtenTo;
  }

  get parsed(): number {
    return this.parsedTo;
  }

  get acknowledged(): number {
    return this.ackedTo;
  }

  /**
   * The gateway sends output from `position` on (0 after `opened`, `attached.position` after a
   * reattach) and counts everything before it as acknowledged. Bytes before it that xterm.js
   * has yet to parse no longer matter to flow control.
   */
  startAt(position: number): void {
    this.cancelDrainAck();
    if (position !== this.writtenTo) {
      // A fresh page, or a gap (lost bytes): older callbacks belong to another count.
      this.epoch++;
      this.writtenTo = position;
      this.parsedTo = position;
    }
    this.ackedTo = position;
  }

  /**
   * `byteLength` output bytes are handed to xterm.js now.
   * @returns the callback to pass to `term.write` with them
   */
  handOver(byteLength: number): () => void {
    this.writtenTo += byteLength;
    const end = this.writtenTo;
    const epoch = this.epoch;
    return () => {
      if (epoch === this.epoch) this.onParsed(end);
    };
  }

  /**
   * Hands `bytes` to `write` in pieces of at most ackEveryBytes, each with its parse callback.
   * xterm.js calls back once per write, after all of it: a frame of a few hundred KiB (the gateway
   * sends a burst as one) would otherwise be acknowledged only once wholly parsed, and a gateway
   * waiting for half its window back would wait for the whole frame.
   */
  handOverInPieces<T extends Uint8Array>(bytes: T, write: (piece: T, parsed: () => void) => void): void {
    for (let at = 0; at < bytes.byteLength; at += this.ackEveryBytes) {
      const piece = bytes.subarray(at, at + this.ackEveryBytes) as T;
      write(piece, this.handOver(piece.byteLength));
    }
  }

  /** No more acks: the session is over. */
  stop(): void {
    this.cancelDrainAck();
    this.epoch++;
  }

  private onParsed(end: number) {
    if (end <= this.parsedTo) return;
    this.parsedTo = end;
    if (this.parsedTo - this.ackedTo >= this.ackEveryBytes) {
      this.ack();
      return;
    }
    if (this.parsedTo === this.writtenTo && !this.drainPending) {
      this.drainPending = true;
      this.drainTimer = this.timers.setTimeout(() => {
        this.drainPending = false;
        this.ack();
      }, this.drainDelayMs);
    }
  }

  private ack() {
    this.cancelDrainAck();
    if (this.parsedTo <= this.ackedTo) return;
    this.ackedTo = this.parsedTo;
    this.sendAck(this.ackedTo);
  }

  private cancelDrainAck() {
    if (!this.drainPending) return;
    this.drainPending = false;
    this.timers.clearTimeout(this.drainTimer);
  }
}
