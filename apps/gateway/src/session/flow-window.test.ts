import { describe, expect, it } from 'vitest';
import { FlowWindow } from './flow-window.js';

const limits = {
  highWatermark: 512,
  lowWatermark: 128,
  socketHighWatermark: 1000,
  socketLowWatermark: 250,
  recordingHighWatermark: 2000,
  recordingLowWatermark: 500,
  capacity: 4096,
  lossless: true,
};
const attached = (unacked: number, socketBuffered = 0, recordingBacklog = 0) => ({
  attached: true,
  unacked,
  socketBuffered,
  recordingBacklog,
});
const detached = (unacked: number, recordingBacklog = 0) => ({
  attached: false,
  unacked,
  socketBuffered: 0,
  recordingBacklog,
});

describe('FlowWindow', () => {
  it('pauses above the high watermark and resumes only at or below the low one', () => {
    const flow = new FlowWindow(limits);
    expect(flow.update(attached(512))).toBe(true);
    expect(flow.update(attached(513))).toBe(false);
    expect(flow.update(attached(300))).toBe(false);
    expect(flow.update(attached(129))).toBe(false);
    expect(flow.update(attached(128))).toBe(true);
    expect(flow.update(attached(400))).toBe(true);
  });

  it('also pauses on a full WebSocket send buffer, until it drains', () => {
    const flow = new FlowWindow(limits);
    expect(flow.update(attached(0, 1001))).toBe(false);
    expect(flow.update(attached(0, 251))).toBe(false);
    expect(flow.update(attached(0, 250))).toBe(true);
  });

  it('lossless and detached: reads until the replay buffer is full, then waits for a browser', () => {
    const flow = new FlowWindow(limits);
    expect(flow.update(detached(4095))).toBe(true);
    expect(flow.update(detached(4096))).toBe(false);
    expect(flow.update(detached(4096))).toBe(false);
    // A browser reattaches from where it was: the whole backlog is unacknowledged but sent.
    expect(flow.update(attached(4096))).toBe(false);
    expect(flow.update(attached(128))).toBe(true);
  });

  it('drop-oldest and detached: never pauses', () => {
    const flow = new FlowWindow({ ...limits, lossless: false });
    expect(flow.update(detached(1_000_000))).toBe(true);
  });

  it('pauses while the recording is behind on disk, attached or not, until it catches up', () => {
    const flow = new FlowWindow(limits);
    expect(flow.update(attached(0, 0, 2000))).toBe(true);
    expect(flow.update(attached(0, 0, 2001))).toBe(false);
    expect(flow.update(attached(0, 0, 501))).toBe(false);
    expect(flow.update(attached(0, 0, 500))).toBe(true);
    expect(flow.update(detached(0, 2001))).toBe(false);
    expect(flow.update(detached(0, 0))).toBe(true);
  });
});
