import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3Fixture } from '@vigil/test-s3';

/** The bucket as a test reads it, beside the gateway: what is stored, under which keys. */
export class BucketUnderTest {
  private constructor(
    readonly name: string,
    private readonly client: S3Client,
    private readonly fixture: S3Fixture,
  ) {}

  /** A fresh bucket of its own, so that tests sharing one S3 server count only their objects. */
  static async create(fixture: S3Fixture): Promise<BucketUnderTest> {
    const client = s3ClientFor(fixture, fixture.secretAccessKey);
    const name = `rec-${randomBytes(6).toString('hex')}`;
    await client.send(new CreateBucketCommand({ Bucket: name }));
    return new BucketUnderTest(name, client, fixture);
  }

  /** The AWS variables a gateway reads its credentials and region from. */
  env(): Record<string, string> {
    return s3Env(this.fixture);
  }

  /** `recordings.s3` for a gateway recording into this bucket. */
  recordings() {
    return { s3: { bucket: this.name, endpoint: this.fixture.endpoint, forcePathStyle: true } };
  }

  async keys(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).flatMap((entry) => (entry.Key ? [entry.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** An object's text, or undefined when there is none. */
  async text(key: string): Promise<string | undefined> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return await Body?.transformToString();
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /** The parts of a live recording, concatenated in key (= offset) order. */
  async partsText(sessionId: string): Promise<string> {
    const texts = [];
    for (const key of (await this.keys(`parts/${sessionId}/`)).sort())
      texts.push((await this.text(key)) ?? '');
    return texts.join('');
  }

  destroy(): void {
    this.client.destroy();
  }
}

export function s3Env(fixture: S3Fixture, secretAccessKey = fixture.secretAccessKey): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: fixture.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_REGION: fixture.region,
  };
}

function s3ClientFor(fixture: S3Fixture, secretAccessKey: string): S3Client {
  return new S3Client({
    endpoint: fixture.endpoint,
    region: fixture.region,
    credentials: { accessKeyId: fixture.accessKeyId, secretAccessKey },
    forcePathStyle: true,
  });
}

export interface Asciicast {
  header: Record<string, unknown>;
  events: [number, string, string][];
}

/** Parses asciicast v2 strictly: every line JSON, a version 2 header, events in time order. */
export function parseAsciicast(text: string): Asciicast {
  if (!text.endsWith('\n')) throw new Error('an asciicast ends with a newline');
  const [header, ...events] = text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line));
  if (header?.version !== 2) throw new Error(`not asciicast v2: ${JSON.stringify(header)}`);
  let previous = 0;
  for (const event of events) {
    if (!Array.isArray(event) || event.length !== 3 || typeof event[0] !== 'number')
      throw new Error(`not an event: ${JSON.stringify(event)}`);
    if (event[0] < previous) throw new Error(`events out of order at ${event[0]}`);
    previous = event[0];
  }
  return { header, events };
}

/** What the terminal was shown: the output events' text, in order. */
export function outputOf({ events }: Asciicast): string {
  return events
    .filter((event) => event[1] === 'o')
    .map((event) => event[2])
    .join('');
}
