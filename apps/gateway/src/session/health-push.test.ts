import { describe, expect, it } from 'vitest';
import { HealthPushPolicy } from './health-push.js';

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
});
