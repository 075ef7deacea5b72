/** Thresholds of one session's output flow, in bytes. */
export interface FlowLimits {
  /** The WebSocket's send buffer: pause above, resume at or below the low mark. */
  socketHighWatermark: number;
  socketLowWatermark: number;
  /** The recording's backlog (not yet written by the recording thread), likewise. */
  recordingHighWatermark: number;
  recordingLowWatermark: number;
  /** Replay buffer size; with `lossless` no unacknowledged byte is ever dropped, so reading pauses at it. */
  capacity: number;
  lossless: boolean;
}

export interface FlowState {
  attached: boolean;
  /** Output bytes the attached browser (or the last one) has not acknowledged. */
  unacked: number;
  /** The attached browser's window (see DrainRate): pause above it, resume at or below half. */
  window: number;
  /** Bytes queued in the attached WebSocket, not yet handed to the network. */
  socketBuffered: number;
  /** Bytes of recording not yet written to disk. */
  recordingBacklog: number;
}

/**
 * Decides whether the SSH channel may be read. Pausing the channel (never the socket) is what
 * makes the remote program wait, through the SSH window, instead of anything being dropped or
 * piling up in the gateway. Hysteresis (resume at half the window, at the low marks) avoids
 * pause/resume chatter.
 */
export class FlowWindow {
  private paused = false;

  constructor(private readonly limits: FlowLimits) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** Returns whether the channel should be reading after this change. */
  update(state: FlowState): boolean {
    const { limits } = this;
    const [pauseAbove, resumeAtOrBelow] = state.attached
      ? [state.window, Math.floor(state.window / 2)]
      : limits.lossless
        ? // Detached, nobody acknowledges: only a reattach (or a larger ack) can make room.
          [limits.capacity - 1, limits.capacity - 1]
        : [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    const socketFull =
      (state.attached && state.socketBuffered > limits.socketHighWatermark) ||
      state.recordingBacklog > limits.recordingHighWatermark;
    const socketDrained =
      (!state.attached || state.socketBuffered <= limits.socketLowWatermark) &&
      state.recordingBacklog <= limits.recordingLowWatermark;
    this.paused = this.paused
      ? !(state.unacked <= resumeAtOrBelow && socketDrained)
      : state.unacked > pauseAbove || socketFull;
    return !this.paused;
  }
}
