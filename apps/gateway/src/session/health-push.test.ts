import { describe, expect, it } from 'vitest';
import { HealthPushPolicy, visibleHealth } from './health-push.js';

describe('HealthPushPolicy', () => {
  it('pushes a state change at once and an unchanged state once per refresh period', () => {
    const policy = new HealthPushPolicy(5000);
    expect(policy.shouldPush('live0/live0', 0)).toBe(true);
    // New round trips alone wait for the refresh.
    expect(policy.shouldPush('live0/live0', 1000)).toBe(false);
    expect(policy.shouldPush('missed1/live0', 1500)).toBe(true);
    expect(policy.shouldPush('live0/live0', 1600)).toBe(true);
    expect(policy.shouldPush('live0/live0', 6599)).toBe(false);
    expect(policy.shouldPush('live0/live0', 6600)).toBe(true);
  });

  it('pushes the first round trip of either leg at once rather than at the next refresh', () => {
    const policy = new HealthPushPolicy(5000);
    const unmeasured = { state: 'live', missed: 0, measured: false };
    const measured = { ...unmeasured, measured: true };
    expect(policy.shouldPush(visibleHealth(unmeasured, unmeasured), 0)).toBe(true);
    expect(policy.shouldPush(visibleHealth(unmeasured, measured), 2)).toBe(true);
    expect(policy.shouldPush(visibleHealth(measured, measured), 40)).toBe(true);
    // From then on, new figures alone wait for the refresh again.
    expect(policy.shouldPush(visibleHealth(measured, measured), 1000)).toBe(false);
  });
});
