import { EventEmitter } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface RecordingHeader {
  cols: number;
  rows: number;
  /** Unix seconds when the session started. */
  timestamp: number;
  title: string;
}

/**
 * Writes one session as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), which the
 * standard asciinema player plays. Output is decoded as a UTF-8 stream, so a character split
 * across two SSH packets is written whole. Input ("i" events) is only recorded when asked,
 * because what people type includes passwords.
 */
export class AsciicastRecorder extends EventEmitter<{ drain: [] }> {
  private readonly file: WriteStream;
  private readonly output = new StringDecoder('utf8');
  private readonly input = new StringDecoder('utf8');
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
    this.line({ version: 2, width, height, timestamp, title, env: { TERM: 'xterm-256color' } });
  }

  private line(value: unknown) {
    if (!this.failure) this.file.write(`${JSON.stringify(value)}\n`);
  }

  /**
   * Bytes written but not yet on disk. The session pauses its SSH channel while this is high,
   * so a disk slower than the output slows the remote program instead of filling memory.
   */
  backlog(): number {
    return this.failure ? 0 : this.file.writableLength;
  }

  private event(code: 'o' | 'i' | 'r', data: string) {
    if (data === '') return;
    // Seconds with microsecond precision, as asciinema writes them.
    const elapsed = Math.round((this.now() - this.startedAt) * 1000) / 1_000_000;
    this.line([elapsed, code, data]);
  }

  recordOutput(chunk: Buffer): void {
    this.event('o', this.output.write(chunk));
  }

  recordInput(chunk: Buffer): void {
    if (this.includeInput) this.event('i', this.input.write(chunk));
  }

  recordResize(cols: number, rows: number): void {
    this.event('r', `${cols}x${rows}`);
  }

  /** Flushes everything; resolves once the file is complete on disk. */
  close(): Promise<void> {
    this.event('o', this.output.end());
    return new Promise((resolve, reject) => {
      this.file.end((error?: Error | null) => {
        const failure = this.failure ?? error;
        if (failure) reject(failure);
        else resolve();
      });
    });
  }
}
