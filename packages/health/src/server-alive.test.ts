import { describe, expect, it } from 'vitest';
import { ServerAliveMonitor } from './server-alive.js';

const s = 1000;

/** Drives the monitor like the I/O shell does: call check at every due time up to `until`. */
function runUntil(monitor: ServerAliveMonitor, until: number) {
  const events: [number, string][] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const at = monitor.nextCheck;
    if (at === undefined || at > until) break;
    const decision = monitor.check(at);
    events.push([at, decision.kind === 'send' ? `send #${decision.id}` : decision.kind]);
  }
  return events;
}

describe('ServerAliveMonitor, OpenSSH semantics', () => {
  it('interval 1 s, max 3, dead path from t=0: keepalives at 1, 2, 3 s, timeout at 4 s', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    expect(runUntil(monitor, 10 * s)).toEqual([
      [1 * s, 'send #1'],
      [2 * s, 'send #2'],
      [3 * s, 'send #3'],
      [4 * s, 'timeout'],
    ]);
    expect(monitor.snapshot(4 * s)).toMatchObject({ state: 'lost', missed: 3, countMax: 3 });
    expect(monitor.nextCheck).toBeUndefined();
  });

  it('reports misses one per interval: live, missed 1 of 3, missed 2 of 3, lost', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    const states: string[] = [];
    for (const t of [1, 2, 3, 4]) {
      monitor.check(t * s);
      const { state, missed } = monitor.snapshot(t * s);
      states.push(`${state} ${missed}`);
    }
    expect(states).toEqual(['live 0', 'missed 1', 'missed 2', 'lost 3']);
  });

  it('times out at the exact due moment, not a millisecond before', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 1 }, 0);
    expect(monitor.check(1 * s)).toEqual({ kind: 'send', id: 1 });
    expect(monitor.check(2 * s - 1)).toEqual({ kind: 'wait' });
    expect(monitor.check(2 * s)).toEqual({ kind: 'timeout' });
  });

  it('a check run late on a grid counts the next one from its due time, so lateness never adds up', () => {
    const monitor = new ServerAliveMonitor(
      { serverAliveInterval: 1, serverAliveCountMax: 3, checkGrainMs: 100 },
      0,
    );
    // Due at 1, 2, 3, 4 s; each run 60 ms late, as a wake-up on a 100 ms grid may be.
    const late = 60;
    expect(monitor.check(1 * s + late)).toEqual({ kind: 'send', id: 1 });
    expect(monitor.nextCheck).toBe(2 * s);
    expect(monitor.check(2 * s + late)).toEqual({ kind: 'send', id: 2 });
    expect(monitor.check(3 * s + late)).toEqual({ kind: 'send', id: 3 });
    expect(monitor.check(4 * s - 1)).toEqual({ kind: 'wait' });
    expect(monitor.check(4 * s + late)).toEqual({ kind: 'timeout' });
  });

  it('a check run far later than the grain (a stalled process) leaves the server nearly an interval', () => {
    const monitor = new ServerAliveMonitor(
      { serverAliveInterval: 1, serverAliveCountMax: 3, checkGrainMs: 100 },
      0,
    );
    expect(monitor.check(5 * s)).toEqual({ kind: 'send', id: 1 });
    // Not due again at once (2 s is long past): one interval from 5 s less the grain.
    expect(monitor.nextCheck).toBe(5 * s - 100 + 1 * s);
  });

  it('without a grain a late check counts the next one from when it ran, as ssh(1) does', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    monitor.check(1 * s + 60);
    expect(monitor.nextCheck).toBe(2 * s + 60);
  });

  it('ServerAliveCountMax=1 gives up when one keepalive is still outstanding at the next check', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 60, serverAliveCountMax: 1 }, 0);
    expect(runUntil(monitor, 1000 * s)).toEqual([
      [60 * s, 'send #1'],
      [120 * s, 'timeout'],
    ]);
  });

  it('ServerAliveCountMax=0 drops at the first due check without sending, even a healthy quiet session', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 0 }, 0);
    expect(runUntil(monitor, 10 * s)).toEqual([[1 * s, 'timeout']]);
  });

  it('ServerAliveInterval=0 turns heartbeats off entirely', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 0, serverAliveCountMax: 3 }, 0);
    expect(monitor.nextCheck).toBeUndefined();
    expect(monitor.check(1e9)).toEqual({ kind: 'wait' });
    expect(monitor.snapshot(0).state).toBe('off');
  });

  it('any packet from the server resets the count and postpones the next check', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    monitor.check(1 * s);
    monitor.check(2 * s);
    expect(monitor.snapshot(2 * s)).toMatchObject({ state: 'missed', missed: 1 });
    monitor.received(2.5 * s); // e.g. shell output during the miss
    expect(monitor.snapshot(2.5 * s)).toMatchObject({ state: 'live', missed: 0 });
    expect(monitor.nextCheck).toBe(3.5 * s);
    // Counting starts again from zero: a keepalive at 3.5, 4.5, 5.5 and the timeout at 6.5.
    expect(runUntil(monitor, 100 * s).map(([t, e]) => `${t / s} ${e}`)).toEqual([
      '3.5 send #3',
      '4.5 send #4',
      '5.5 send #5',
      '6.5 timeout',
    ]);
  });

  it('a server that streams output but never answers keepalives is never dropped (as ssh(1))', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 1 }, 0);
    for (let t = 0; t < 60 * s; t += 100) {
      monitor.received(t);
      expect(monitor.check(t).kind).toBe('wait');
    }
    expect(monitor.snapshot(60 * s).state).toBe('live');
  });

  it('measures the round trip of each reply', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    expect(monitor.check(1 * s)).toEqual({ kind: 'send', id: 1 });
    expect(monitor.replied(1, 1 * s + 12)).toBe(12);
    const snapshot = monitor.snapshot(1 * s + 20);
    expect(snapshot).toMatchObject({
      state: 'live',
      lastRttMs: 12,
      rttP50Ms: 12,
      rttP95Ms: 12,
      lastReplyAgoMs: 8,
    });
    // The reply counts as traffic: the next check is an interval after it.
    expect(monitor.nextCheck).toBe(2 * s + 12);
  });

  it('a late reply after a miss brings the state back to live and counts its full round trip', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    monitor.check(1 * s); // #1
    monitor.check(2 * s); // #2, #1 now missed
    monitor.replied(1, 2.4 * s);
    expect(monitor.snapshot(2.4 * s)).toMatchObject({ state: 'live', missed: 0, lastRttMs: 1.4 * s });
    monitor.replied(2, 2.5 * s);
    expect(monitor.snapshot(2.5 * s).lastRttMs).toBe(0.5 * s);
  });

  it('a reply to an old request also settles the ones before it, and unknown ids are ignored', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 5 }, 0);
    monitor.check(1 * s); // #1
    monitor.check(2 * s); // #2
    monitor.check(3 * s); // #3
    monitor.replied(2, 3.1 * s);
    expect(monitor.snapshot(3.1 * s).lastRttMs).toBe(1.1 * s);
    expect(monitor.replied(1, 3.2 * s)).toBeUndefined(); // already settled by #2's reply
    expect(monitor.replied(99, 3.2 * s)).toBeUndefined();
    expect(monitor.snapshot(3.2 * s).lastRttMs).toBe(1.1 * s);
  });

  it('ignores everything once lost', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 0 }, 0);
    monitor.check(1 * s);
    monitor.received(1.5 * s);
    expect(monitor.snapshot(1.5 * s).state).toBe('lost');
    expect(monitor.check(10 * s)).toEqual({ kind: 'wait' });
  });
});

describe('ServerAliveMonitor, the uncounted first probe', () => {
  it('gives a figure at once and leaves the count and the schedule alone', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 15, serverAliveCountMax: 3 }, 0);
    expect(monitor.measured).toBe(false);
    const probe = monitor.uncountedProbe(0);
    expect(probe).toBe(1);
    expect(monitor.replied(probe!, 3)).toBe(3);
    expect(monitor.measured).toBe(true);
    expect(monitor.snapshot(5)).toMatchObject({ state: 'live', missed: 0, lastRttMs: 3, lastReplyAgoMs: 2 });
    // A counted reply would have moved the next check to 15 s after it; the probe's does not.
    expect(monitor.nextCheck).toBe(15 * s);
  });

  it('a probe reply during a miss does not bring the count back to zero', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    const probe = monitor.uncountedProbe(0)!;
    monitor.check(1 * s); // #2
    monitor.check(2 * s); // #3, #2 now missed
    expect(monitor.replied(probe, 2.5 * s)).toBe(2.5 * s);
    expect(monitor.snapshot(2.5 * s)).toMatchObject({ state: 'missed', missed: 1, lastRttMs: 2.5 * s });
    expect(monitor.nextCheck).toBe(3 * s);
  });

  it('an unanswered probe changes nothing: the dead path is dropped on the same timeline', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    monitor.uncountedProbe(0);
    expect(runUntil(monitor, 10 * s).map(([t, e]) => `${t / s} ${e}`)).toEqual([
      '1 send #2',
      '2 send #3',
      '3 send #4',
      '4 timeout',
    ]);
  });

  it('a probe still outstanding when the first keepalive goes out is settled by its reply, which counts', () => {
    const monitor = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 3 }, 0);
    monitor.uncountedProbe(0); // #1, never answered on its own
    expect(monitor.check(1 * s)).toEqual({ kind: 'send', id: 2 });
    monitor.check(2 * s); // #3, #2 now missed
    // #2's reply settles the probe before it too (replies come in order) and resets the count.
    expect(monitor.replied(2, 2.2 * s)).toBe(1.2 * s);
    expect(monitor.snapshot(2.2 * s)).toMatchObject({ state: 'live', missed: 0 });
    expect(monitor.nextCheck).toBe(3.2 * s);
    expect(monitor.replied(1, 2.3 * s)).toBeUndefined();
  });

  it('sends no probe when heartbeats are off or already lost, as ssh(1) sends nothing then', () => {
    const off = new ServerAliveMonitor({ serverAliveInterval: 0, serverAliveCountMax: 3 }, 0);
    expect(off.uncountedProbe(0)).toBeUndefined();
    const lost = new ServerAliveMonitor({ serverAliveInterval: 1, serverAliveCountMax: 0 }, 0);
    lost.check(1 * s);
    expect(lost.uncountedProbe(1 * s)).toBeUndefined();
  });
});
