import { describe, expect, it } from 'vitest';
import { PART_INTERVAL_MS, PART_MAX_BYTES, PartSchedule, RETRY_MAX_MS, retryDelay } from './part-schedule.js';

describe('PartSchedule', () => {
  it('waits for nothing while nothing is recorded', () => {
    const schedule = new PartSchedule(0);
    expect(schedule.nextPartIn(60_000, 0)).toBeUndefined();
  });

  it('cuts a part PART_INTERVAL_MS after the last one', () => {
    const schedule = new PartSchedule(1_000);
    expect(schedule.nextPartIn(1_500, 10)).toBe(PART_INTERVAL_MS - 500);
    expect(schedule.nextPartIn(1_000 + PART_INTERVAL_MS, 10)).toBe(0);
    schedule.uploaded(3_100);
    expect(schedule.nextPartIn(3_100, 10)).toBe(PART_INTERVAL_MS);
    // Quiet for a long time, then output: it goes up at once, the interval has long passed.
    expect(schedule.nextPartIn(60_000, 10)).toBe(0);
  });

  it('cuts a part at once when PART_MAX_BYTES are waiting, whatever the time', () => {
    const schedule = new PartSchedule(0);
    expect(schedule.nextPartIn(1, PART_MAX_BYTES - 1)).toBe(PART_INTERVAL_MS - 1);
    expect(schedule.nextPartIn(1, PART_MAX_BYTES)).toBe(0);
  });

  it('backs off after failures, doubling up to RETRY_MAX_MS, and resets once a part is stored', () => {
    const schedule = new PartSchedule(0);
    schedule.failed(10_000);
    expect(schedule.nextPartIn(10_000, 10)).toBe(1_000);
    // Even a full part waits for the retry: the server is down, not slow.
    expect(schedule.nextPartIn(10_500, PART_MAX_BYTES)).toBe(500);
    schedule.failed(11_000);
    expect(schedule.nextPartIn(11_000, 10)).toBe(2_000);
    for (let i = 0; i < 10; i++) schedule.failed(20_000);
    expect(schedule.nextPartIn(20_000, 10)).toBe(RETRY_MAX_MS);
    schedule.uploaded(30_000);
    expect(schedule.nextPartIn(30_000, 10)).toBe(PART_INTERVAL_MS);
  });

  it('retries after 1, 2, 4, 8, 16, 16 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(retryDelay)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 16_000]);
  });
});
