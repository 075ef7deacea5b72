import { createReadStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { RecordingHeader } from '../../asciicast-header.js';
import { AsciicastRecorder } from '../../asciicast-recorder.js';
import type { RecordingThread } from '../../recording-thread.js';
import type { RecordingStore } from '../recording-store.js';
import { type PlayablePart, playableParts, type RecordingKeys } from './recording-keys.js';
import type { S3Bucket } from './s3-bucket.js';
import { completeLength, SpooledRecording } from './spooled-recording.js';

/** How long shutdown waits for recordings still uploading before it leaves them in the spool. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Recordings in an S3 bucket, readable by every replica that shares it. Each session is recorded
 * to a spool file first (the local side's fast path), uploaded in parts while it runs and
 * compacted to one object when it ends (spooled-recording.ts). Spool files left by a gateway
 * that stopped before they were uploaded are uploaded when it starts again.
 */
export class S3RecordingStore implements RecordingStore {
  readonly side = 's3';
  private readonly recordings = new Set<SpooledRecording>();
  private readonly stopping = new AbortController();

  private constructor(
    readonly directory: string,
    private readonly thread: RecordingThread,
    private readonly bucket: S3Bucket,
    private readonly keys: RecordingKeys,
    private readonly log: FastifyBaseLogger,
  ) {}

  static async open(
    spoolDirectory: string,
    thread: RecordingThread,
    bucket: S3Bucket,
    keys: RecordingKeys,
    log: FastifyBaseLogger,
  ): Promise<S3RecordingStore> {
    await mkdir(spoolDirectory, { recursive: true, mode: 0o700 });
    const store = new S3RecordingStore(spoolDirectory, thread, bucket, keys, log);
    const leftovers = (await readdir(spoolDirectory)).filter((name) => name.endsWith('.cast'));
    if (leftovers.length > 0) log.info({ recordings: leftovers.length }, 'uploading spooled recordings');
    for (const name of leftovers) store.track(name.slice(0, -'.cast'.length));
    return store;
  }

  private track(sessionId: string, recorder?: AsciicastRecorder) {
    const context = { bucket: this.bucket, keys: this.keys, log: this.log, stopping: this.stopping.signal };
    const path = join(this.directory, `${sessionId}.cast`);
    const recording = new SpooledRecording(context, sessionId, path, recorder);
    this.recordings.add(recording);
    void recording.done.finally(() => this.recordings.delete(recording));
  }

  record(sessionId: string, header: RecordingHeader, includeInput: boolean): AsciicastRecorder {
    const path = join(this.directory, `${sessionId}.cast`);
    const recorder = new AsciicastRecorder(this.thread, path, header, includeInput);
    this.track(sessionId, recorder);
    return recorder;
  }

  async read(sessionId: string): Promise<Readable | undefined> {
    try {
      return await this.readBucket(sessionId);
    } catch (error) {
      // The bucket cannot be read now; if this replica recorded the session, its spool has it all.
      const spooled = await this.readSpool(sessionId);
      if (spooled) return spooled;
      throw error;
    }
  }

  private async readSpool(sessionId: string): Promise<Readable | undefined> {
    const path = join(this.directory, `${sessionId}.cast`);
    const length = await completeLength(path).catch(() => undefined);
    return length === undefined ? undefined : createReadStream(path, { start: 0, end: length - 1 });
  }

  private async readBucket(sessionId: string): Promise<Readable | undefined> {
    const compacted = this.keys.compacted(sessionId);
    const whole = await this.bucket.get(compacted);
    if (whole) return whole;
    const folder = this.keys.parts(sessionId);
    const parts = playableParts(folder, await this.bucket.list(folder));
    // No parts: none yet, or compacted between the two requests.
    if (parts.length === 0) return this.bucket.get(compacted);
    return Readable.from(this.concatenate(compacted, parts), { objectMode: false });
  }

  /** The parts in order; once one is gone the recording was compacted, and the rest comes from that. */
  private async *concatenate(compacted: string, parts: readonly PlayablePart[]) {
    for (const part of parts) {
      const body = await this.bucket.get(part.key);
      if (body) {
        yield* body;
        continue;
      }
      const rest = await this.bucket.get(compacted, part.offset);
      if (rest) yield* rest;
      return;
    }
  }

  async close(): Promise<void> {
    const pending = Promise.all([...this.recordings].map((recording) => recording.done));
    await within(pending, CLOSE_WAIT_MS);
    this.stopping.abort();
    // Aborted requests settle at once; a recording whose session is somehow still open never does.
    await within(pending, 1_000);
    this.bucket.destroy();
    await this.thread.stop();
  }
}

async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work, timeout]);
  clearTimeout(timer);
}
