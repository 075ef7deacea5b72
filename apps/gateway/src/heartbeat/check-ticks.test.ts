import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { CheckTicks } from './check-ticks.js';

function setUp(tickMs = 100) {
  const clock = new FakeClock();
  const ticks = new CheckTicks(tickMs, clock);
  const ran: string[] = [];
  const run = (name: string) => () => ran.push(`${name}@${clock.at}`);
  return { clock, ticks, ran, run };
}

describe('CheckTicks', () => {
  it('runs every check due within one tick at that tick boundary, on one wake-up', () => {
    const { clock, ticks, ran, run } = setUp();
    clock.at = 5;
    for (const [name, at] of [
      ['a', 1001],
      ['b', 1050],
      ['c', 1100],
    ] as const)
      ticks.schedule(at, run(name));
    expect(clock.timers.size).toBe(1);
    expect(clock.advance(1099)).toBe(0);
    expect(clock.advance(1200)).toBe(1);
    // Woken one millisecond after the boundary (see arm), never before a check's due time.
    expect(ran).toEqual(['a@1101', 'b@1101', 'c@1101']);
    expect(ticks.pending).toBe(0);
  });

  it('never runs a check before its due time, however the due time falls on the grid', () => {
    const { clock, ticks, ran, run } = setUp();
    ticks.schedule(1000, run('on the boundary'));
    ticks.schedule(1000.5, run('just after it'));
    clock.advance(3000);
    expect(ran).toEqual(['on the boundary@1001', 'just after it@1101']);
  });

  it('moves a check that is scheduled again and forgets one that is cancelled', () => {
    const { clock, ticks, ran, run } = setUp();
    const a = run('a');
    const b = run('b');
    ticks.schedule(150, a);
    ticks.schedule(150, b);
    ticks.schedule(420, a);
    ticks.cancel(b);
    expect(ticks.pending).toBe(1);
    clock.advance(1000);
    expect(ran).toEqual(['a@501']);
  });

  it('arms one timer for the earliest tick and moves it only when an earlier one arrives', () => {
    const { clock, ticks, run } = setUp();
    ticks.schedule(950, run('late'));
    ticks.schedule(980, run('also late'));
    ticks.schedule(250, run('early'));
    expect(clock.waits).toEqual([1001, 301]);
    expect(clock.timers.size).toBe(1);
  });

  it('lets a check reschedule itself from its own callback, as a heartbeat re-arms', () => {
    const { clock, ticks, ran } = setUp();
    let due = 1000;
    const beat = () => {
      ran.push(`beat@${clock.at}`);
      due += 1000;
      ticks.schedule(due, beat);
    };
    ticks.schedule(due, beat);
    clock.advance(3500);
    expect(ran).toEqual(['beat@1001', 'beat@2001', 'beat@3001']);
  });

  it('runs a check scheduled for a tick that has already passed on the next turn', () => {
    const { clock, ticks, ran, run } = setUp();
    clock.at = 730;
    ticks.schedule(400, run('overdue'));
    expect(clock.waits).toEqual([1]);
    clock.advance(800);
    expect(ran).toEqual(['overdue@731']);
  });

  it('wakes once for a tick whose every check was cancelled, then stays quiet', () => {
    const { clock, ticks, run } = setUp();
    const a = run('a');
    ticks.schedule(300, a);
    ticks.cancel(a);
    expect(clock.advance(10_000)).toBe(1);
    expect(clock.timers.size).toBe(0);
  });

  it('after a wake-up more than a tick late, lets pending I/O be read before the due checks run', () => {
    const { clock, ticks, ran, run } = setUp();
    clock.onPoll = () => ran.push(`poll@${clock.at}`);
    ticks.schedule(1000, run('check'));
    // A callback of an earlier tick keeps the process stuck for 1.4 s.
    ticks.schedule(900, () => {
      ran.push(`stuck@${clock.at}`);
      clock.at = 2300;
    });
    clock.advance(5000);
    expect(ran).toEqual(['stuck@901', 'poll@2301', 'check@2301']);
  });

  it('on time, runs the due checks at once, without waiting for a poll', () => {
    const { clock, ticks, ran, run } = setUp();
    clock.onPoll = () => ran.push(`poll@${clock.at}`);
    ticks.schedule(1000, run('check'));
    clock.advance(5000);
    expect(ran).toEqual(['check@1001']);
  });
});
