import { EventEmitter } from 'node:events';
import type { RecordingHeader } from './asciicast-header.js';
import type { RecordingThread } from './recording-thread.js';

/** Output gathered for one event is handed over once it reaches this, even within one task. */
const MAX_BATCH_BYTES = 256 * 1024;

/** One stream of terminal bytes (output or input) and the event it is gathering. */
class EventStream {
  chunks: Buffer[] = [];
  bytes = 0;
  /** When the first chunk of the gathering event arrived. */
  at = 0;
}

/**
 * Records one session as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), which the
 * standard asciinema player plays. Output arriving within one event-loop turn (an SSH read often
 * carries several packets) becomes one event, timed at its first byte, copied once and handed to
 * the recording thread, which escapes and writes it. Input ("i" events) is only recorded when
 * asked, because what people type includes passwords.
 */
export class AsciicastRecorder extends EventEmitter<{
  drain: [];
  failed: [reason: string];
  /** The file is complete (or never will be, with the reason); nothing more is written to it. */
  closed: [error: string | undefined];
}> {
  private readonly id: number;
  private readonly output = new EventStream();
  private readonly input = new EventStream();
  private flushScheduled = false;
  /** Bytes handed to the thread and not yet written by it. */
  private inFlight = 0;
  /** Bytes in the file so far, ending at a line's end: what may be uploaded while the session runs. */
  fileBytes = 0;
  private readonly startedAt: number;
  /** A disk problem must not take the session down: it is kept and reported by close(). */
  private failure: string | undefined;
  private readonly done: Promise<string | undefined>;

  constructor(
    private readonly thread: RecordingThread,
    readonly path: string,
    header: RecordingHeader,
    private readonly includeInput: boolean,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    this.startedAt = now();
    let settle: (error: string | undefined) => void = () => {};
    this.done = new Promise((resolve) => {
      settle = resolve;
    });
    this.id = thread.open(path, header, {
      written: (bytes, fileBytes) => {
        this.inFlight -= bytes;
        this.fileBytes = fileBytes;
        this.emit('drain');
      },
      failed: (message) => {
        if (this.failure !== undefined) return;
        this.failure = message;
        // Said at once: the session goes on, and whoever runs the gateway must know it is unrecorded.
        this.emit('failed', message);
      },
      closed: (error) => {
        settle(this.failure ?? error);
        this.emit('closed', this.failure ?? error);
      },
    });
  }

  /** Seconds since the start with microsecond precision, as asciinema writes them. */
  private elapsed(at: number): number {
    return Math.round((at - this.startedAt) * 1000) / 1_000_000;
  }

  /**
   * Bytes not yet written to disk. The session pauses its SSH channel while this is high, so a
   * disk (or recording thread) slower than the output slows the remote program instead of
   * filling memory.
   */
  backlog(): number {
    return this.inFlight + this.output.bytes;
  }

  private gather(stream: EventStream, chunk: Buffer) {
    if (stream.bytes === 0) stream.at = this.now();
    stream.chunks.push(chunk);
    stream.bytes += chunk.length;
    if (stream.bytes >= MAX_BATCH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands over the gathered events, the earlier first: players expect times in order. */
  private flush() {
    this.flushScheduled = false;
    const inputFirst = this.input.bytes > 0 && (this.output.bytes === 0 || this.input.at < this.output.at);
    if (inputFirst) this.handOver(this.input, 'i');
    this.handOver(this.output, 'o');
    if (!inputFirst) this.handOver(this.input, 'i');
  }

  private handOver(stream: EventStream, code: 'o' | 'i') {
    if (stream.bytes === 0) return;
    // A buffer of its own, to be moved to the thread: the chunks are views of ssh2's buffers
    // (or of the shared pool), which the replay buffer still holds.
    const bytes = Buffer.allocUnsafeSlow(stream.bytes);
    let offset = 0;
    for (const chunk of stream.chunks) offset += chunk.copy(bytes, offset);
    this.inFlight += stream.bytes;
    stream.chunks = [];
    stream.bytes = 0;
    this.thread.post({ type: 'event', id: this.id, code, at: this.elapsed(stream.at), bytes }, [
      bytes.buffer as ArrayBuffer,
    ]);
  }

  recordOutput(chunk: Buffer): void {
    this.gather(this.output, chunk);
  }

  recordInput(chunk: Buffer): void {
    if (this.includeInput) this.gather(this.input, chunk);
  }

  recordResize(cols: number, rows: number): void {
    this.flush();
    this.thread.post({ type: 'resize', id: this.id, at: this.elapsed(this.now()), cols, rows });
  }

  /** Hands over everything; resolves once the file is complete on disk. */
  async close(): Promise<void> {
    this.flush();
    this.thread.post({ type: 'close', id: this.id, at: this.elapsed(this.now()) });
    const error = await this.done;
    if (error) throw new Error(error);
  }
}
