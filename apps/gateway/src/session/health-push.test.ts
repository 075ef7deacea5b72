import type { LegHealth } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { HealthPushPolicy, healthDigest } from './health-push.js';

const live: LegHealth = {
  state: 'live',
  missed: 0,
  countMax: 3,
  intervalMs: 1000,
  lastRttMs: 0.41,
  rttP50Ms: 0.4,
  rttP95Ms: 0.5,
};

describe('healthDigest', () => {
  it('ignores changes a person cannot see and keeps those they can', () => {
    expect(healthDigest({ ...live, lastRttMs: 0.43, lastReplyAgoMs: 12 })).toBe(healthDigest(live));
    expect(healthDigest({ ...live, lastRttMs: 0.46 })).not.toBe(healthDigest(live));
    expect(healthDigest({ ...live, lastRttMs: 12.2 })).toBe(healthDigest({ ...live, lastRttMs: 11.9 }));
    expect(healthDigest({ ...live, state: 'missed', missed: 1 })).not.toBe(healthDigest(live));
  });
});

describe('HealthPushPolicy', () => {
  it('pushes every visible change at once and an unchanged state at least once per quiet period', () => {
    const policy = new HealthPushPolicy(20_000);
    const same = healthDigest(live);
    expect(policy.shouldPush(same, 0)).toBe(true);
    expect(policy.shouldPush(same, 1000)).toBe(false);
    expect(policy.shouldPush(healthDigest({ ...live, state: 'missed', missed: 1 }), 1500)).toBe(true);
    expect(policy.shouldPush(same, 1600)).toBe(true);
    expect(policy.shouldPush(same, 21_599)).toBe(false);
    expect(policy.shouldPush(same, 21_600)).toBe(true);
  });
});
