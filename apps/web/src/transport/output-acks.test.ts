import { FLOW_CONTROL } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { FakePage } from './fake-page.test-support.js';
import { DRAIN_ACK_DELAY_MS, OutputAcks } from './output-acks.js';

const KiB = 1024;
const EVERY = FLOW_CONTROL.ackEveryBytes;

function tracker() {
  const page = new FakePage();
  const acks: number[] = [];
  const output = new OutputAcks((position) => acks.push(position), page);
  output.startAt(0);
  return { page, acks, output };
}

describe('OutputAcks', () => {
  it('counts every byte handed to the terminal as written, before it is parsed', () => {
    const { output } = tracker();
    output.handOver(100);
    output.handOver(23);
    expect(output.written).toBe(123);
    expect(output.parsed).toBe(0);
  });

  it('moves the parsed position to the end of each chunk as its write callback runs', () => {
    const { output } = tracker();
    const first = output.handOver(100);
    const second = output.handOver(23);
    first();
    expect(output.parsed).toBe(100);
    second();
    expect(output.parsed).toBe(123);
  });

  it('hands a frame over in pieces of ackEveryBytes, so a large one is acknowledged as it is parsed', () => {
    const { acks, output } = tracker();
    const frame = new Uint8Array(3 * EVERY + 100).map((_, i) => i % 251);
    const pieces: [Uint8Array, () => void][] = [];
    output.handOverInPieces(frame, (piece, parsed) => pieces.push([piece, parsed]));
    expect(pieces.map(([piece]) => piece.byteLength)).toEqual([EVERY, EVERY, EVERY, 100]);
    expect(new Uint8Array(pieces.flatMap(([piece]) => [...piece]))).toEqual(frame);
    expect(output.written).toBe(3 * EVERY + 100);
    pieces[0]![1]();
    expect(acks).toEqual([EVERY]);
    pieces[1]![1]();
    expect(acks).toEqual([EVERY, 2 * EVERY]);
  });

  it('acknowledges at once every time ackEveryBytes more have been parsed', () => {
    const { acks, output } = tracker();
    const parsed = Array.from({ length: 10 }, () => output.handOver(EVERY / 4));
    for (const callback of parsed.slice(0, 3)) callback();
    expect(acks).toEqual([]);
    parsed[3]!();
    expect(acks).toEqual([EVERY]);
    for (const callback of parsed.slice(4, 8)) callback();
    expect(acks).toEqual([EVERY, 2 * EVERY]);
  });

  it('keeps the rule the gateway relies on: never more than ackEveryBytes parsed and unacknowledged', () => {
    const { acks, output } = tracker();
    // Chunks that do not divide ackEveryBytes (32 KiB): the ack falls on the first chunk end past the mark.
    const parsed = Array.from({ length: 40 }, () => output.handOver(10_000));
    for (const callback of parsed) {
      callback();
      expect(output.parsed - output.acknowledged).toBeLessThan(FLOW_CONTROL.ackEveryBytes);
    }
    expect(acks).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 40_000));
  });

  it('acknowledges the rest once the write queue drains, after a short delay', () => {
    const { acks, output, page } = tracker();
    const parsed = output.handOver(5);
    parsed();
    expect(acks).toEqual([]);
    page.advance(DRAIN_ACK_DELAY_MS - 1);
    expect(acks).toEqual([]);
    page.advance(1);
    expect(acks).toEqual([5]);
  });

  it('does not count a queue with unparsed writes as drained', () => {
    const { acks, output, page } = tracker();
    const first = output.handOver(5);
    output.handOver(7);
    first();
    page.advance(10 * DRAIN_ACK_DELAY_MS);
    expect(acks).toEqual([]);
  });

  it('folds a flood of chunks that each drain the queue into one ack per delay', () => {
    const { acks, output, page } = tracker();
    // 300 chunks of 100 bytes, one per millisecond, each parsed before the next arrives.
    for (let i = 0; i < 300; i++) {
      output.handOver(100)();
      page.advance(1);
    }
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acks).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * DRAIN_ACK_DELAY_MS * 100));
    expect(output.acknowledged).toBe(30_000);
  });

  it('lets an ackEveryBytes ack stand in for a pending drain ack', () => {
    const { acks, output, page } = tracker();
    output.handOver(1000)();
    output.handOver(EVERY)();
    expect(acks).toEqual([1000 + EVERY]);
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acks).toEqual([1000 + EVERY]);
  });

  it('resumes at the same count after a reattach: what xterm.js still parses is not written twice', () => {
    const { acks, output, page } = tracker();
    output.handOver(10 * KiB)();
    const late = output.handOver(30 * KiB);
    // The socket drops; the page reattaches from what it has written, 40 KiB.
    output.startAt(40 * KiB);
    expect(output.written).toBe(40 * KiB);
    late();
    page.advance(DRAIN_ACK_DELAY_MS);
    // The gateway counts up to the attach position as acknowledged already.
    expect(acks).toEqual([]);
    output.handOver(EVERY)();
    expect(acks).toEqual([40 * KiB + EVERY]);
  });

  it('starts over at a new position after lost bytes, ignoring writes of the old count', () => {
    const { acks, output, page } = tracker();
    const old = output.handOver(1000);
    output.startAt(5000);
    old();
    expect(output.parsed).toBe(5000);
    output.handOver(10)();
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acks).toEqual([5010]);
  });

  it('sends nothing once stopped', () => {
    const { acks, output, page } = tracker();
    output.handOver(10)();
    const pending = output.handOver(EVERY);
    output.stop();
    pending();
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acks).toEqual([]);
  });
});
