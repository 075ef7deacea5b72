import { EventEmitter } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { JsonTextEncoder, MAX_EXPANSION } from './json-text-encoder.js';

export interface RecordingHeader {
  cols: number;
  rows: number;
  /** Unix seconds when the session started. */
  timestamp: number;
  title: string;
}

/** An event's opening `[12.345678, "o", "` is at most this long. */
const EVENT_HEAD_BYTES = 48;
/** Output gathered for one event is written once it reaches this, even within one event-loop turn. */
const MAX_BATCH_BYTES = 256 * 1024;

/** One stream of terminal bytes (output or input) and the event it is gathering. */
class EventStream {
  readonly encoder = new JsonTextEncoder();
  chunks: Buffer[] = [];
  bytes = 0;
  /** When the first chunk of the gathering event arrived. */
  at = 0;
}

/**
 * Writes one session as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), which the
 * standard asciinema player plays. Output arriving in one event-loop turn (an SSH read often
 * carries several packets) becomes one event, timed at its first byte; bytes are escaped
 * straight into the file's JSON (JsonTextEncoder), so a character split across SSH packets is
 * written whole. Input ("i" events) is only recorded when asked, because what people type
 * includes passwords.
 */
export class AsciicastRecorder extends EventEmitter<{ drain: [] }> {
  private readonly file: WriteStream;
  private readonly output = new EventStream();
  private readonly input = new EventStream();
  private flushScheduled = false;
  private readonly startedAt: number;
  /** A disk problem must not take the session down: it is kept and reported by close(). */
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    header: RecordingHeader,
    private readonly includeInput: boolean,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.file.on('error', (error) => {
      this.failure ??= error;
      this.emit('drain');
    });
    this.file.on('drain', () => this.emit('drain'));
    this.startedAt = now();
    const { cols: width, rows: height, timestamp, title } = header;
    this.write(
      `${JSON.stringify({ version: 2, width, height, timestamp, title, env: { TERM: 'xterm-256color' } })}\n`,
    );
  }

  private write(data: string | Buffer) {
    if (!this.failure) this.file.write(data);
  }

  /** Seconds since the start with microsecond precision, as asciinema writes them. */
  private elapsed(at: number): number {
    return Math.round((at - this.startedAt) * 1000) / 1_000_000;
  }

  /**
   * Bytes written but not yet on disk, and output not yet written. The session pauses its SSH
   * channel while this is high, so a disk slower than the output slows the remote program
   * instead of filling memory.
   */
  backlog(): number {
    return this.failure ? 0 : this.file.writableLength + this.output.bytes;
  }

  private gather(stream: EventStream, chunk: Buffer) {
    if (stream.bytes === 0) stream.at = this.now();
    stream.chunks.push(chunk);
    stream.bytes += chunk.length;
    if (stream.bytes >= MAX_BATCH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        const held = this.output.bytes;
        this.flush();
        // The backlog shrank even if nothing reached the file (all NUL): a session paused on it
        // must hear so, as the file's own 'drain' would not come.
        if (held > 0) this.emit('drain');
      });
    }
  }

  /** Writes the gathered events, the earlier first: players expect times in order. */
  private flush() {
    this.flushScheduled = false;
    const inputFirst = this.input.bytes > 0 && (this.output.bytes === 0 || this.input.at < this.output.at);
    if (inputFirst) this.writeEvent(this.input, 'i');
    this.writeEvent(this.output, 'o');
    if (!inputFirst) this.writeEvent(this.input, 'i');
  }

  private writeEvent(stream: EventStream, code: 'o' | 'i', ending = false) {
    if (stream.bytes === 0 && !ending) return;
    const event = Buffer.allocUnsafe(EVENT_HEAD_BYTES + stream.bytes * MAX_EXPANSION + 3 + 3);
    let at = event.write(`[${this.elapsed(stream.bytes === 0 ? this.now() : stream.at)},"${code}","`);
    const bodyStart = at;
    for (const chunk of stream.chunks) at = stream.encoder.write(chunk, event, at);
    if (ending) at = stream.encoder.end(event, at);
    stream.chunks = [];
    stream.bytes = 0;
    // A chunk may end inside a character: its bytes wait for the next event.
    if (at === bodyStart) return;
    at += event.write('"]\n', at);
    this.write(event.subarray(0, at));
  }

  recordOutput(chunk: Buffer): void {
    this.gather(this.output, chunk);
  }

  recordInput(chunk: Buffer): void {
    if (this.includeInput) this.gather(this.input, chunk);
  }

  recordResize(cols: number, rows: number): void {
    this.flush();
    this.write(`${JSON.stringify([this.elapsed(this.now()), 'r', `${cols}x${rows}`])}\n`);
  }

  /** Flushes everything; resolves once the file is complete on disk. */
  close(): Promise<void> {
    this.flush();
    this.writeEvent(this.output, 'o', true);
    this.writeEvent(this.input, 'i', true);
    return new Promise((resolve, reject) => {
      this.file.end((error?: Error | null) => {
        const failure = this.failure ?? error;
        if (failure) reject(failure);
        else resolve();
      });
    });
  }
}
