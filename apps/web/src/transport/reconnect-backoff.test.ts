import { describe, expect, it } from 'vitest';
import { RECONNECT_BACKOFF, reconnectDelayMs } from './reconnect-backoff.js';

describe('reconnectDelayMs', () => {
  it('doubles the window from 250 ms up to a 10 s cap', () => {
    const windows = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((attempt) =>
      reconnectDelayMs(attempt, () => 0.999_999),
    );
    expect(windows).toEqual([249, 499, 999, 1999, 3999, 7999, 9999, 9999, 9999, 9999]);
  });

  it('draws anywhere in the window, down to no wait at all', () => {
    expect(reconnectDelayMs(3, () => 0)).toBe(0);
    expect(reconnectDelayMs(3, () => 0.5)).toBe(500);
    expect(reconnectDelayMs(1, () => 0.5, { ...RECONNECT_BACKOFF, baseMs: 100 })).toBe(50);
  });
});
