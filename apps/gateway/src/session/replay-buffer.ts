/**
 * A session's output, numbered by byte position since the session began, keeping the newest
 * bytes for replay. The position is also the flow-control count: one number serves both.
 */
export class ReplayBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private startPosition = 0;

  /** @param capacity bytes kept for replay; trimming never goes below it. */
  constructor(readonly capacity: number) {}

  /** Position of the oldest byte still held. */
  get start(): number {
    return this.startPosition;
  }

  /** Position after the newest byte: every byte the session has produced. */
  get end(): number {
    return this.startPosition + this.size;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /**
   * Drops the oldest bytes beyond capacity, but none at or after `keepFrom`: a lossless session
   * protects what the browser has not acknowledged and pauses instead of dropping it.
   */
  trim(keepFrom: number): void {
    let excess = Math.min(this.size - this.capacity, keepFrom - this.startPosition);
    while (excess > 0) {
      const first = this.chunks[0]!;
      const cut = Math.min(first.length, excess);
      if (cut === first.length) this.chunks.shift();
      else this.chunks[0] = first.subarray(cut);
      this.size -= cut;
      this.startPosition += cut;
      excess -= cut;
    }
  }

  /**
   * The bytes from `from` to the end. Bytes before `start` are gone: they are reported as lost
   * and replay begins at `start`.
   */
  readFrom(from: number): { position: number; lost: number; chunks: Buffer[] } {
    if (from > this.end) throw new RangeError(`position ${from} is beyond the output (${this.end})`);
    const position = Math.max(from, this.startPosition);
    const chunks: Buffer[] = [];
    let skip = position - this.startPosition;
    for (const chunk of this.chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      chunks.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    return { position, lost: position - from, chunks };
  }
}
