import { MAX_FRAME_BYTES } from '@vigil/protocol';

/**
 * Terminal output to one socket, one WebSocket frame per burst instead of one per SSH packet.
 * sshd reads a PTY a few KiB at a time, so a flood arrives as many small packets per socket
 * read; a frame (and a `write` to the kernel, and a `message` event in the page) for each cost
 * more CPU than the bytes themselves. Chunks pushed in one task are sent together once it and
 * its ticks have run (a microtask), so a lone keystroke echo waits for nothing. Frame boundaries
 * mean nothing to the protocol: the page counts bytes. `flush` sends what is gathered before
 * anything else goes on the socket, so control messages keep their place after the output.
 * No frame exceeds the protocol's MAX_FRAME_BYTES, the cap every reader enforces: a replica
 * relaying this socket over the internal hop reads it with that cap, and a long replay still
 * goes out in pieces.
 */
export class OutputFrames {
  private chunks: Buffer[] = [];
  private sentCallbacks: (() => void)[] = [];
  private bytes = 0;

  constructor(
    private readonly sendFrame: (frame: Buffer, sent: () => void) => void,
    private readonly defer: (flush: () => void) => void = queueMicrotask,
  ) {}

  /** Bytes gathered and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** `sent` runs once the socket has taken the frame that carries `chunk`. */
  push(chunk: Buffer, sent: () => void): void {
    if (this.bytes + chunk.length > MAX_FRAME_BYTES) this.flush();
    let rest = chunk;
    while (rest.length > MAX_FRAME_BYTES) {
      this.sendFrame(rest.subarray(0, MAX_FRAME_BYTES), () => {});
      rest = rest.subarray(MAX_FRAME_BYTES);
    }
    if (this.chunks.length === 0) this.defer(() => this.flush());
    this.chunks.push(rest);
    this.sentCallbacks.push(sent);
    this.bytes += rest.length;
    if (this.bytes === MAX_FRAME_BYTES) this.flush();
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    const { chunks, sentCallbacks } = this;
    this.chunks = [];
    this.sentCallbacks = [];
    const [first] = chunks;
    const frame = first && chunks.length === 1 ? first : Buffer.concat(chunks, this.bytes);
    this.bytes = 0;
    this.sendFrame(frame, () => {
      for (const sent of sentCallbacks) sent();
    });
  }

  /** The socket is gone: what is gathered stays in the session's replay buffer, for the next page. */
  discard(): void {
    this.chunks = [];
    this.sentCallbacks = [];
    this.bytes = 0;
  }
}
