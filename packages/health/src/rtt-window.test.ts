import { describe, expect, it } from 'vitest';
import { RttWindow } from './rtt-window.js';

describe('RttWindow', () => {
  it('gives nearest-rank percentiles over the most recent samples only', () => {
    const window = new RttWindow(4);
    expect(window.percentile(50)).toBeUndefined();
    for (const ms of [100, 1, 2, 3, 4]) window.add(ms);
    expect(window.count).toBe(4);
    expect(window.last).toBe(4);
    expect(window.percentile(50)).toBe(2);
    expect(window.percentile(95)).toBe(4);
    expect(window.percentile(0)).toBe(1);
  });

  it('sees a new sample in the percentiles right after it is added', () => {
    const window = new RttWindow(4);
    window.add(5);
    expect(window.percentile(50)).toBe(5);
    window.add(1);
    window.add(1);
    expect(window.percentile(50)).toBe(1);
  });
});
