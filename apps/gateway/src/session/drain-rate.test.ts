import { describe, expect, it } from 'vitest';
import { channelWindowFor, DrainRate, MIN_SAMPLE_MS } from './drain-rate.js';

const rule = {
  targetDrainMs: 100,
  windowFloor: 64 * 1024,
  windowCeiling: 4 * 1024 * 1024,
  initialWindow: 256 * 1024,
  ackEveryBytes: 32 * 1024,
};

function meter() {
  let now = 0;
  const drain = new DrainRate(rule, () => now);
  return { drain, at: (ms: number) => (now = ms) };
}

describe('DrainRate', () => {
  it('keeps the initial window until a span is measured', () => {
    const { drain, at } = meter();
    expect(drain.window()).toBe(256 * 1024);
    drain.acked(0, 300_000);
    at(10);
    expect(drain.window(50)).toBe(256 * 1024);
    expect(drain.bytesPerSecond).toBeUndefined();
  });

  it('sizes the window to what a busy page parses in the target time plus the round trip', () => {
    const { drain, at } = meter();
    drain.acked(0, 300_000);
    at(100);
    drain.acked(100_000, 300_000); // 1000 bytes/ms while 200 000 more were waiting
    expect(drain.bytesPerSecond).toBe(1_000_000);
    expect(drain.window()).toBe(100_000);
    expect(drain.window(20)).toBe(120_000);
  });

  it(`folds acks less than ${MIN_SAMPLE_MS} ms apart into one span`, () => {
    const { drain, at } = meter();
    drain.acked(0, 300_000);
    at(MIN_SAMPLE_MS - 1);
    drain.acked(90_000, 300_000);
    expect(drain.bytesPerSecond).toBeUndefined();
    at(100);
    drain.acked(100_000, 300_000);
    expect(drain.window()).toBe(100_000);
  });

  it('follows a page that is slow for a while and then fast, half way per busy span', () => {
    const { drain, at } = meter();
    drain.acked(0, 1_000_000);
    at(100);
    drain.acked(100_000, 1_000_000); // 1000 bytes/ms
    at(200);
    drain.acked(900_000, 2_000_000); // 8000 bytes/ms
    expect(drain.window()).toBe(450_000);
    at(300);
    drain.acked(1_700_000, 2_500_000); // 8000 again
    expect(drain.window()).toBe(625_000);
    at(400);
    drain.acked(1_800_000, 2_500_000); // and slow again: 1000
    expect(drain.window()).toBe(362_500);
  });

  it('extends a busy span until it holds one ack of output, so the echo before a flood is not a rate', () => {
    const { drain, at } = meter();
    drain.acked(482, 490); // the typed command is echoed; Enter's echo and the flood are on their way
    at(106);
    drain.acked(484, 218_532); // only Enter's 2 bytes parsed: latency, not a page parsing 19 bytes/s
    expect(drain.bytesPerSecond).toBeUndefined();
    expect(drain.window()).toBe(256 * 1024);
    at(200);
    drain.acked(482 + 32 * 1024, 400_000); // past what had been sent at 0: it kept up, a lower bound only
    expect(drain.window()).toBe(256 * 1024);
  });

  it('measures a slow page once its busy span holds one ack of output', () => {
    const { drain, at } = meter();
    drain.acked(0, 300_000);
    at(100);
    drain.acked(10_000, 300_000); // 100 bytes/ms so far, too few bytes to tell
    expect(drain.bytesPerSecond).toBeUndefined();
    at(400);
    drain.acked(40_000, 300_000); // 100 bytes/ms over 40 000 bytes
    expect(drain.bytesPerSecond).toBe(100_000);
    expect(drain.window()).toBe(64 * 1024);
  });

  it('takes a span in which the page waited for output as a lower bound only', () => {
    const { drain, at } = meter();
    drain.acked(0, 300_000);
    at(100);
    drain.acked(100_000, 100_000); // busy: 1000 bytes/ms
    at(200);
    drain.acked(150_000, 150_000); // kept up with a slower shell: 500 bytes/ms says nothing
    expect(drain.window()).toBe(100_000);
    at(300);
    drain.acked(650_000, 650_000); // kept up with 5000 bytes/ms: it parses at least that fast
    expect(drain.window()).toBe(500_000);
  });

  it('before any busy span, lets a lower bound replace the initial window only upwards', () => {
    const { drain, at } = meter();
    drain.acked(0, 0);
    at(100);
    drain.acked(1000, 1000); // a prompt: 10 bytes/ms
    expect(drain.window()).toBe(256 * 1024);
    at(200);
    drain.acked(1_001_000, 1_001_000); // a fast page keeping up with a fast shell
    expect(drain.window()).toBe(1_000_000);
  });

  it('stays between the floor and the ceiling', () => {
    const { drain, at } = meter();
    drain.acked(0, 1_000_000);
    at(1000);
    drain.acked(100_000, 1_000_000); // 100 bytes/ms would be a 10 000-byte window
    expect(drain.window()).toBe(64 * 1024);
    at(1100);
    drain.acked(10_000_000, 90_000_000); // 99 000 bytes/ms
    expect(drain.window()).toBe(4 * 1024 * 1024);
  });

  it('starts a new span when positions go back (a count restarted)', () => {
    const { drain, at } = meter();
    drain.acked(500_000, 900_000);
    at(100);
    drain.acked(0, 300_000);
    at(200);
    drain.acked(100_000, 300_000);
    expect(drain.window()).toBe(100_000);
  });
});

describe('channelWindowFor', () => {
  it('grants half the flow window in whole 32 KiB packets, between 64 KiB and 2 MiB', () => {
    expect(channelWindowFor(100_000)).toBe(64 * 1024);
    expect(channelWindowFor(1024 * 1024)).toBe(512 * 1024);
    expect(channelWindowFor(450_000)).toBe(224 * 1024);
    expect(channelWindowFor(16 * 1024)).toBe(64 * 1024);
    expect(channelWindowFor(16 * 1024 * 1024)).toBe(2 * 1024 * 1024);
  });
});
