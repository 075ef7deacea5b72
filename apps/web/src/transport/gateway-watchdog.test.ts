import { describe, expect, it } from 'vitest';
import { GatewayWatchdog } from './gateway-watchdog.js';

// The gateway's defaults: a ping after 20 s of silence, two unanswered pings tolerated.
const leg = { intervalMs: 20_000, countMax: 2 };
// (2 + 1) × 20 s + 5 s grace.
const PATIENCE = 65_000;
// One interval + 5 s.
const WAKE_GRACE = 25_000;

/** A watchdog that heard its first `health` at t = 0. */
function watching() {
  const watchdog = new GatewayWatchdog(0);
  watchdog.configure(leg, 0);
  return watchdog;
}

/** Runs the check the way the shell does: at the time it asked for, plus any lateness. */
function checkOnTime(watchdog: GatewayWatchdog, lateBy = 0) {
  const due = watchdog.nextCheck;
  if (due === undefined) throw new Error('not judging');
  return watchdog.check(due + lateBy, due);
}

describe('GatewayWatchdog', () => {
  it('does not judge before the first health message', () => {
    const watchdog = new GatewayWatchdog(0);
    expect(watchdog.nextCheck).toBeUndefined();
    expect(watchdog.check(10 * PATIENCE, 0)).toEqual({ kind: 'wait' });
    watchdog.heard(1000);
    expect(watchdog.nextCheck).toBeUndefined();
  });

  it('declares the leg dead when a check on time finds (countMax + 1) intervals + grace of silence', () => {
    const watchdog = watching();
    expect(watchdog.nextCheck).toBe(PATIENCE);
    expect(watchdog.check(PATIENCE - 1, PATIENCE - 1)).toEqual({ kind: 'wait' });
    expect(checkOnTime(watchdog)).toEqual({ kind: 'dead', silentMs: PATIENCE });
    expect(watchdog.nextCheck).toBeUndefined();
  });

  it('pushes the deadline back with every frame', () => {
    const watchdog = watching();
    watchdog.heard(30_000);
    expect(watchdog.nextCheck).toBe(30_000 + PATIENCE);
    // The timer armed for the old deadline finds it moved and waits.
    expect(watchdog.check(PATIENCE, PATIENCE)).toEqual({ kind: 'wait' });
    expect(checkOnTime(watchdog)).toEqual({ kind: 'dead', silentMs: PATIENCE });
  });

  it('takes the deadline from the latest health message', () => {
    const watchdog = watching();
    watchdog.configure({ intervalMs: 1000, countMax: 3 }, 10_000);
    expect(watchdog.nextCheck).toBe(10_000 + 4 * 1000 + 5000);
  });

  it('gives a timer that fired late (a throttled or frozen tab) a grace period instead of a verdict', () => {
    const watchdog = watching();
    // Hidden-tab throttling: the check meant for 65 s runs a minute late.
    const late = PATIENCE + 60_000;
    expect(watchdog.check(late, PATIENCE)).toEqual({ kind: 'wait' });
    expect(watchdog.nextCheck).toBe(late + WAKE_GRACE);
  });

  it('counts a frame that arrives within that grace as proof of life', () => {
    const watchdog = watching();
    const late = PATIENCE + 60_000;
    watchdog.check(late, PATIENCE);
    // The frames queued while the page was frozen are delivered after the overdue timer.
    watchdog.heard(late + 50);
    // The timer armed for the end of the grace finds the deadline moved.
    expect(watchdog.check(late + WAKE_GRACE, late + WAKE_GRACE)).toEqual({ kind: 'wait' });
    expect(watchdog.nextCheck).toBe(late + 50 + PATIENCE);
  });

  it('declares death once the grace after a late timer passes in silence', () => {
    const watchdog = watching();
    const late = PATIENCE + 60_000;
    watchdog.check(late, PATIENCE);
    expect(checkOnTime(watchdog)).toEqual({ kind: 'dead', silentMs: late + WAKE_GRACE });
  });

  it('judges a timer late only past one interval of lateness', () => {
    const slightlyLate = watching();
    expect(checkOnTime(slightlyLate, leg.intervalMs)).toMatchObject({ kind: 'dead' });
    const throttled = watching();
    expect(checkOnTime(throttled, leg.intervalMs + 1)).toEqual({ kind: 'wait' });
  });

  it('gives a page that becomes visible again a fresh grace period', () => {
    const watchdog = watching();
    watchdog.woke(60_000);
    expect(watchdog.nextCheck).toBe(60_000 + WAKE_GRACE);
    // The timer armed for 65 s runs on time and finds the deadline moved.
    expect(watchdog.check(PATIENCE, PATIENCE)).toEqual({ kind: 'wait' });
    watchdog.heard(70_000);
    expect(watchdog.check(60_000 + WAKE_GRACE, 60_000 + WAKE_GRACE)).toEqual({ kind: 'wait' });
  });

  it('still declares death after a wake if the grace passes in silence', () => {
    const watchdog = watching();
    watchdog.woke(60_000);
    expect(checkOnTime(watchdog)).toEqual({ kind: 'dead', silentMs: 60_000 + WAKE_GRACE });
  });

  it('never shortens the deadline on a wake', () => {
    const watchdog = watching();
    watchdog.woke(1000);
    expect(watchdog.nextCheck).toBe(PATIENCE);
  });

  it('stays dead: later frames and health do not revive a verdict', () => {
    const watchdog = watching();
    checkOnTime(watchdog);
    watchdog.heard(PATIENCE + 1);
    watchdog.configure(leg, PATIENCE + 2);
    watchdog.woke(PATIENCE + 3);
    expect(watchdog.nextCheck).toBeUndefined();
    expect(watchdog.check(10 * PATIENCE, 10 * PATIENCE)).toEqual({ kind: 'wait' });
  });

  it('stops judging a leg that has no pings', () => {
    const watchdog = watching();
    watchdog.configure({ intervalMs: 0, countMax: 2 }, 1000);
    expect(watchdog.nextCheck).toBeUndefined();
    expect(watchdog.check(10 * PATIENCE, 10 * PATIENCE)).toEqual({ kind: 'wait' });
  });
});
