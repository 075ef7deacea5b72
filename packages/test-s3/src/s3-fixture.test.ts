import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Fixture, startS3 } from './index.js';

let fixture: S3Fixture;
let s3: S3Client;
const bucket = 'recordings';

function clientFor(secretAccessKey: string): S3Client {
  return new S3Client({
    endpoint: fixture.endpoint,
    region: fixture.region,
    credentials: { accessKeyId: fixture.accessKeyId, secretAccessKey },
    forcePathStyle: true,
    // One try: a test about a refused request must see the refusal, not the SDK's retries.
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  fixture = await startS3();
  s3 = clientFor(fixture.secretAccessKey);
}, 90_000);
afterAll(async () => {
  s3?.destroy();
  await fixture?.stop();
});

describe('startS3', () => {
  it('serves S3 on 127.0.0.1: create a bucket, put, get and list an object', async () => {
    expect(fixture.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'session-1.cast', Body: 'hello recording' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'session-1.cast' }));
    expect(await got.Body?.transformToString()).toBe('hello recording');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((entry) => entry.Key)).toEqual(['session-1.cast']);
  });

  it('checks signatures: a wrong secret gets SignatureDoesNotMatch', async () => {
    const wrong = clientFor(`${fixture.secretAccessKey}-wrong`);
    try {
      await expect(wrong.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
      });
    } finally {
      wrong.destroy();
    }
  });

  it('enforces the 5 MiB minimum for a multipart part that is not the last: EntityTooSmall', async () => {
    const key = 'too-small.cast';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const parts = [];
    for (const PartNumber of [1, 2]) {
      const part = { Bucket: bucket, Key: key, UploadId, PartNumber, Body: `part ${PartNumber}` };
      const { ETag } = await s3.send(new UploadPartCommand(part));
      parts.push({ ETag, PartNumber });
    }
    const complete = { Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } };
    await expect(s3.send(new CompleteMultipartUploadCommand(complete))).rejects.toMatchObject({
      name: 'EntityTooSmall',
    });
  });

  it('stops only the gateway: requests fail to connect, and after a restart the object is still there', async () => {
    await fixture.stopGateway();
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'session-1.cast' })),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await fixture.startGateway();
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'session-1.cast' }));
    expect(await got.Body?.transformToString()).toBe('hello recording');
  });

  it('stops every daemon, frees the ports, removes its folder and can be stopped twice', async () => {
    const { dir } = fixture;
    const pids = fixture.pids();
    expect(pids).toHaveLength(3);
    const port = Number(new URL(fixture.endpoint).port);
    await Promise.all([fixture.stop(), fixture.stop()]);
    await fixture.stop();
    expect(existsSync(dir)).toBe(false);
    for (const pid of pids) expect(isLive(pid)).toBe(false);
    await expect(listenOn(port)).resolves.toBeUndefined();
    await expect(listenOn(fixture.monitorPort)).resolves.toBeUndefined();
  });
});

function isLive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listenOn(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
