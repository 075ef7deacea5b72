/** Output chunks smaller than this are copied into blocks of the buffer's own. */
const SMALL_CHUNK_BYTES = 1024;
const FIRST_BLOCK_BYTES = 512;
const MAX_BLOCK_BYTES = 16 * 1024;

/**
 * A session's output, numbered by byte position since the session began, keeping the newest
 * bytes for replay. The position is also the flow-control count: one number serves both.
 *
 * Small chunks (a prompt, an echoed keystroke) are copied into blocks that grow from 512 bytes
 * to 16 KiB: held as they arrive, each would keep alive the larger buffer it is a view of, often
 * an 8 KiB pool slab, and an idle session would pin several of those for its whole life.
 */
export class ReplayBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private startPosition = 0;
  /** The block small chunks are copied into; its filled part is the last entry of `chunks`. */
  private block: Buffer | undefined;
  /** Where the last entry of `chunks` begins in `block` (trimming can move it) and ends. */
  private blockStart = 0;
  private blockEnd = 0;

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
    this.size += chunk.length;
    if (chunk.length >= SMALL_CHUNK_BYTES) {
      this.block = undefined;
      this.chunks.push(chunk);
      return;
    }
    if (this.block === undefined || this.blockEnd + chunk.length > this.block.length) {
      const grown = Math.min(MAX_BLOCK_BYTES, 2 * (this.block?.length ?? FIRST_BLOCK_BYTES / 2));
      this.block = Buffer.allocUnsafeSlow(Math.max(grown, chunk.length));
      this.blockStart = 0;
      this.blockEnd = 0;
      this.chunks.push(this.block.subarray(0, 0));
    }
    chunk.copy(this.block, this.blockEnd);
    this.blockEnd += chunk.length;
    this.chunks[this.chunks.length - 1] = this.block.subarray(this.blockStart, this.blockEnd);
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
      const isBlock = this.block !== undefined && this.chunks.length === 1;
      if (cut === first.length) {
        this.chunks.shift();
        if (isBlock) this.block = undefined;
      } else {
        this.chunks[0] = first.subarray(cut);
        if (isBlock) this.blockStart += cut;
      }
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
