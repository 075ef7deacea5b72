import { describe, expect, it } from 'vitest';
import { FlowWindow } from './flow-window.js';

const limits = {
  socketHighWatermark: 1000,
  socketLowWatermark: 250,
  recordingHighWatermark: 2000,
  recordingLowWatermark: 500,
  capacity: 4096,
  lossless: true,
};
const attached = (unacked: number, socketBuffered = 0, recordingBacklog = 0, window = 512) => ({
  attached: true,
  unacked,
  window,
  socketBuffered,
  recordingBacklog,
});
const detached = (unacked: number, recordingBacklog = 0) => ({
  attached: false,
  unacked,
  window: 512,
  socketBuffered: 0,
  recordingBacklog,
});

describe('FlowWindow', () => {
  it('pauses above the window and resumes only at or below half of it', () => {
    const flow = new FlowWindow(limits);
    expect(flow.update(attached(512))).toBe(true);
    expect(flow.update(attached(513))).toBe(false);
    expect(flow.update(attached(300))).toBe(false);
    expect(flow.update(attached(257))).toBe(false);
    expect(flow.update(attached(256))).toBe(true);
    expect(flow.update(attached(400))).toBe(true);
  });

  it('follows the window as it is measured: a smaller one pauses sooner, a larger one resumes', () => {
    const flow = new FlowWindow(limits);
    expect(flow.update(attached(200, 0, 0, 512))).toBe(true);
    expect(flow.update(attached(200, 0, 0, 128))).toBe(false);
    expect(flow.update(attached(200, 0, 0, 256))).toBe(false);
    expect(flow.update(attached(200, 0, 0, 400))).toBe(true);
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
    expect(flow.update(attached(256))).toBe(true);
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
