import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { StoredPart } from './recording-keys.js';

/** How to reach the bucket: the config's `recordings.s3` with the environment's credentials filled in. */
export interface S3Settings {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Told once when requests start failing and once when they work again, as the audit log does for PostgreSQL. */
interface BucketHealth {
  unavailable(error: unknown): void;
  recovered(): void;
}

/** Objects at or above this go up as a multipart upload, in parts this big. */
const UPLOAD_PART_BYTES = 8 * 1024 * 1024;

/**
 * The bucket, as the recording store uses it: the only importer of the AWS SDK. Every request
 * goes through `tracked`, so an outage is said once, however many recordings wait on it.
 */
export class S3Bucket {
  private readonly client: S3Client;
  private available = true;

  constructor(
    readonly settings: S3Settings,
    private readonly health: BucketHealth,
  ) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Flexible checksums (CRC32 trailers in aws-chunked bodies, the SDK's default since 3.729)
      // are not understood by every S3-compatible server (Ceph before 19 among them); MD5 and
      // SigV4's payload hash still protect every request.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The SDK's standard retries (3 tries, jittered backoff) ride out a hiccup; a longer
      // outage is the spool's business, with a backoff of its own (part-schedule.ts).
      maxAttempts: 3,
      // A server that accepts the connection and then says nothing must not hold a part for ever.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    });
  }

  private async tracked<T>(request: Promise<T>): Promise<T> {
    try {
      const result = await request;
      if (!this.available) {
        this.available = true;
        this.health.recovered();
      }
      return result;
    } catch (error) {
      if (this.available && !isMissing(error)) {
        this.available = false;
        this.health.unavailable(error);
      }
      throw error;
    }
  }

  /**
   * Writes and deletes a small object under `prefix`: the bucket exists, the credentials may
   * write, and the server answers. Called once, at start-up, with no retries to wait through.
   */
  async probe(prefix: string): Promise<void> {
    const key = `${prefix}.vigil-probe-${randomBytes(6).toString('hex')}`;
    const { bucket } = this.settings;
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'probe' }));
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  async put(key: string, body: Uint8Array, abortSignal?: AbortSignal): Promise<void> {
    const command = new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: body });
    await this.tracked(this.client.send(command, { abortSignal }));
  }

  /** Bytes `from` to the end of an object, or undefined when there is no such object. */
  async get(key: string, from = 0): Promise<Readable | undefined> {
    const command = new GetObjectCommand({
      Bucket: this.settings.bucket,
      Key: key,
      ...(from > 0 ? { Range: `bytes=${from}-` } : {}),
    });
    try {
      const { Body } = await this.tracked(this.client.send(command));
      return Body as Readable;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Every object under `prefix`, with its size. */
  async list(prefix: string): Promise<StoredPart[]> {
    const found: StoredPart[] = [];
    let token: string | undefined;
    do {
      const page = await this.tracked(
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const entry of page.Contents ?? []) {
        if (entry.Key !== undefined) found.push({ key: entry.Key, size: entry.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  async deleteAll(keys: readonly string[], abortSignal?: AbortSignal): Promise<void> {
    // DeleteObjects takes at most 1000 keys a request.
    for (let start = 0; start < keys.length; start += 1000) {
      const Objects = keys.slice(start, start + 1000).map((Key) => ({ Key }));
      const command = new DeleteObjectsCommand({
        Bucket: this.settings.bucket,
        Delete: { Objects, Quiet: true },
      });
      const { Errors } = await this.tracked(this.client.send(command, { abortSignal }));
      if (Errors?.length) throw new Error(`could not delete ${Errors[0]?.Key}: ${Errors[0]?.Message}`);
    }
  }

  /** The first `length` bytes of a file as one object; multipart when it is large (lib-storage). */
  async uploadFile(key: string, path: string, length: number, abortSignal: AbortSignal): Promise<void> {
    const abortController = new AbortController();
    const abort = () => abortController.abort();
    abortSignal.addEventListener('abort', abort, { once: true });
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.settings.bucket,
        Key: key,
        Body: createReadStream(path, { start: 0, end: length - 1 }),
        ContentType: 'application/x-asciicast',
      },
      partSize: UPLOAD_PART_BYTES,
      queueSize: 2,
      abortController,
    });
    try {
      await this.tracked(upload.done());
    } finally {
      abortSignal.removeEventListener('abort', abort);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** S3's "no such object" (and "no such bucket" is not it: that one is a problem to say). */
function isMissing(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
}
