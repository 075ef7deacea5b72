/** What an entry of a batch is: an output or input event, or a resize. */
export const ENTRY_KIND = { output: 0, input: 1, resize: 2 } as const;
/** Numbers per entry: kind, recording id, seconds since its start, then bytes (events) or cols and rows. */
export const ENTRY_FIELDS = 5;

/**
 * Events of every recording, gathered to go to the recording thread in one message: their bytes
 * one after another in one buffer, which is moved to the thread (not copied) and comes back
 * with the thread's answer to carry the next batch. A message per event made the thread wake,
 * and answer, per keystroke echo; and a fresh buffer per event was garbage for both heaps.
 */
export class EventBatch {
  readonly bytes: Uint8Array;
  private used = 0;
  /** ENTRY_FIELDS numbers per entry, in the order the events happened. */
  readonly entries: number[] = [];

  constructor(buffer: ArrayBuffer) {
    this.bytes = new Uint8Array(buffer);
  }

  /** Bytes still free for events. */
  get room(): number {
    return this.bytes.length - this.used;
  }

  /** An event of `length` bytes, which `chunks` hold; `room` must be at least `length`. */
  addEvent(id: number, code: 'o' | 'i', at: number, chunks: readonly Uint8Array[], length: number): void {
    let offset = this.used;
    for (const chunk of chunks) {
      this.bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.used = offset;
    this.entries.push(code === 'o' ? ENTRY_KIND.output : ENTRY_KIND.input, id, at, length, 0);
  }

  addResize(id: number, at: number, cols: number, rows: number): void {
    this.entries.push(ENTRY_KIND.resize, id, at, cols, rows);
  }
}
