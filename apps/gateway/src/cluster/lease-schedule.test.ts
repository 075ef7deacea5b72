import { describe, expect, it } from 'vitest';
import { LeaseSchedule } from './lease-schedule.js';

describe('LeaseSchedule', () => {
  it('renews every third of the lease', () => {
    const schedule = new LeaseSchedule(9, 0);
    expect(schedule.renewAt()).toBe(3000);
    schedule.renewed(3010);
    expect(schedule.renewAt()).toBe(6010);
  });

  it('retries a failed renewal after a tenth of the lease, at most a second', () => {
    const short = new LeaseSchedule(3, 0);
    short.renewFailed(1000);
    expect(short.renewAt()).toBe(1300);
    const long = new LeaseSchedule(60, 0);
    long.renewFailed(20_000);
    expect(long.renewAt()).toBe(21_000);
  });

  it('sweeps only after a whole renew period and a retry in touch with the database', () => {
    // Renewals every 3 s, a failed one retried after 0.9 s.
    const schedule = new LeaseSchedule(9, 0);
    expect(schedule.maySweep(3899)).toBe(false);
    expect(schedule.maySweep(3900)).toBe(true);
  });

  it('after the database was gone, waits again before sweeping, so others can renew first', () => {
    const schedule = new LeaseSchedule(9, 0);
    schedule.renewed(3000);
    schedule.renewFailed(6000);
    expect(schedule.maySweep(6500)).toBe(false);
    // The database is back after 30 s: every lease ran out meanwhile.
    schedule.renewed(36_000);
    expect(schedule.maySweep(39_899)).toBe(false);
    expect(schedule.maySweep(39_900)).toBe(true);
    // A renewal that keeps succeeding does not move the start of being in touch.
    schedule.renewed(39_000);
    expect(schedule.maySweep(39_900)).toBe(true);
  });
});
