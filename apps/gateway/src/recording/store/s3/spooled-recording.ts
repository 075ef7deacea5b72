import { open, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { AsciicastRecorder } from '../../asciicast-recorder.js';
import { PART_MAX_BYTES, PartSchedule, retryDelay } from './part-schedule.js';
import type { RecordingKeys } from './recording-keys.js';
import type { S3Bucket } from './s3-bucket.js';

interface SpoolContext {
  bucket: S3Bucket;
  keys: RecordingKeys;
  log: FastifyBaseLogger;
  /** Aborted when the gateway stops: what is not uploaded by then waits in the spool for the next start. */
  stopping: AbortSignal;
}

/**
 * One session's recording on the S3 side. The recording thread writes the spool file, exactly as
 * the local side writes its file; this uploads the new lines of it as a part whenever the
 * schedule says, and once the file is complete uploads it whole as the compacted object, deletes
 * the parts and the spool file. Whatever S3 refuses stays in the spool and is tried again.
 */
export class SpooledRecording {
  /** Bytes of the spool file that are in the bucket as parts. */
  private uploaded = 0;
  private readonly schedule: PartSchedule;
  private timer: NodeJS.Timeout | undefined;
  private uploading: Promise<void> | undefined;
  private ended = false;
  /** Settles once the recording is compacted in the bucket, or left in the spool at shutdown. */
  readonly done: Promise<void>;

  constructor(
    private readonly context: SpoolContext,
    readonly sessionId: string,
    readonly path: string,
    /** The live recording writing the spool file; absent for a spool file found at start-up. */
    private readonly recorder?: AsciicastRecorder,
  ) {
    this.schedule = new PartSchedule(performance.now());
    if (!recorder) {
      this.done = this.compact();
      return;
    }
    recorder.on('drain', () => this.plan());
    this.done = new Promise<void>((resolve) => recorder.once('closed', () => resolve())).then(() =>
      this.compact(),
    );
  }

  /** Called whenever the file grew: starts the part that is due, or waits for it. */
  private plan() {
    if (this.ended || this.uploading || !this.recorder) return;
    const wait = this.schedule.nextPartIn(performance.now(), this.recorder.fileBytes - this.uploaded);
    if (wait === undefined) return;
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.plan();
      }, wait);
      return;
    }
    // Due now, perhaps before the timer (PART_MAX_BYTES arrived within the interval).
    clearTimeout(this.timer);
    this.timer = undefined;
    this.uploading = this.uploadPart().finally(() => {
      this.uploading = undefined;
      this.plan();
    });
  }

  private async uploadPart(): Promise<void> {
    const end = this.recorder?.fileBytes ?? 0;
    try {
      let bytes = await readRange(this.path, this.uploaded, Math.min(end, this.uploaded + PART_MAX_BYTES));
      // A part cut short by the size limit ends at its last whole line, so that the parts
      // uploaded so far always play.
      if (this.uploaded + bytes.length < end) bytes = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1);
      if (bytes.length === 0) return;
      await this.context.bucket.put(
        this.context.keys.part(this.sessionId, this.uploaded),
        bytes,
        this.context.stopping,
      );
      this.uploaded += bytes.length;
      this.schedule.uploaded(performance.now());
    } catch {
      // Said once for all recordings by the bucket (S3Bucket's health); the bytes stay spooled.
      this.schedule.failed(performance.now());
    }
  }

  /** Uploads the complete spool file as the one object, then removes the parts and the file. */
  private async compact(): Promise<void> {
    this.ended = true;
    clearTimeout(this.timer);
    await this.uploading;
    const { bucket, keys, log, stopping } = this.context;
    for (let failures = 0; !stopping.aborted; ) {
      try {
        const length = await completeLength(this.path);
        // Not even a header line: there is nothing to keep.
        if (length === undefined) return await rm(this.path, { force: true });
        await bucket.uploadFile(keys.compacted(this.sessionId), this.path, length, stopping);
        const parts = await bucket.list(keys.parts(this.sessionId));
        await bucket.deleteAll(
          parts.map((part) => part.key),
          stopping,
        );
        await rm(this.path, { force: true });
        log.info({ sessionId: this.sessionId, bytes: length }, 'recording stored in S3');
        return;
      } catch {
        failures++;
        await sleep(retryDelay(failures), undefined, { signal: stopping }).catch(() => undefined);
      }
    }
    log.warn(
      { sessionId: this.sessionId, spool: this.path },
      'recording left in the spool at shutdown: it is uploaded at the next start',
    );
  }
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(end - start);
    const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * The length of the file up to its last whole line: a gateway killed in the middle of a write
 * leaves half a line, which a player would choke on. Undefined when there is no file (it could
 * not even be created, which the recorder reported as a failure).
 */
export async function completeLength(path: string): Promise<number | undefined> {
  const file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!file) return undefined;
  try {
    const { size } = await file.stat();
    const tail = Buffer.allocUnsafe(Math.min(size, 64 * 1024));
    for (let end = size; end > 0; end -= tail.length) {
      const start = Math.max(0, end - tail.length);
      const { bytesRead } = await file.read(tail, 0, end - start, start);
      const newline = tail.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) return start + newline + 1;
    }
    return undefined;
  } finally {
    await file.close();
  }
}
