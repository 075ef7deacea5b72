import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { DrainCountdown, type DrainEnd } from './drain-countdown.js';

function setUp(limitMs = 900_000) {
  const clock = new FakeClock();
  const ends: string[] = [];
  const countdown = new DrainCountdown(limitMs, clock, (why: DrainEnd) => ends.push(`${why}@${clock.at}`));
  return { clock, ends, countdown };
}

describe('DrainCountdown', () => {
  it('is not draining before the first signal, and an emptied replica then is no reason to end', () => {
    const { countdown, ends } = setUp();
    expect(countdown.draining).toBe(false);
    expect(countdown.leftMs()).toBeUndefined();
    countdown.emptied();
    expect(ends).toEqual([]);
  });

  it('ends as soon as the last session has ended, well before the limit', () => {
    const { clock, countdown, ends } = setUp();
    clock.at = 1_000;
    countdown.signal(3);
    expect(countdown.draining).toBe(true);
    clock.advance(61_000);
    expect(countdown.leftMs()).toBe(840_000);
    countdown.emptied();
    expect(ends).toEqual(['last-session-ended@61000']);
    // The limit's timer went with it.
    expect(clock.timers.size).toBe(0);
  });

  it('ends at once when no session runs at the signal', () => {
    const { countdown, ends, clock } = setUp();
    countdown.signal(0);
    expect(ends).toEqual(['last-session-ended@0']);
    expect(clock.timers.size).toBe(0);
  });

  it('ends at the limit when sessions still run, exactly once', () => {
    const { clock, countdown, ends } = setUp(30_000);
    clock.at = 500;
    countdown.signal(2);
    clock.advance(30_499);
    expect(ends).toEqual([]);
    expect(countdown.leftMs()).toBe(1);
    clock.advance(30_500);
    expect(ends).toEqual(['drain-limit@30500']);
    expect(countdown.leftMs()).toBe(0);
    countdown.emptied();
    countdown.signal(0);
    expect(ends).toEqual(['drain-limit@30500']);
  });

  it('ends at once at a second signal', () => {
    const { clock, countdown, ends } = setUp();
    countdown.signal(1);
    clock.advance(5_000);
    countdown.signal(1);
    expect(ends).toEqual(['second-signal@5000']);
    expect(clock.timers.size).toBe(0);
  });

  it('with a limit of 0 closes the running sessions at once, as a plain shutdown does', () => {
    const { clock, countdown, ends } = setUp(0);
    countdown.signal(4);
    clock.advance(0);
    expect(ends).toEqual(['drain-limit@0']);
  });
});
