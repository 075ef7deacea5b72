import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '@vigil/gateway';
import { type HaproxyFixture, startHaproxy } from '@vigil/test-haproxy';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type S3Fixture, startS3 } from '@vigil/test-s3';
import type { SharedParts } from './replica-config.js';
import { type Replica, startReplica } from './replica-process.js';

export interface ClusterOptions {
  /** The person's config: its targets, sign-in and policies go to every replica. */
  source: Config;
  /** @default 3 */
  replicas?: number;
  /** The cluster's folder; each replica gets `replica-N/` in it. */
  dir: string;
  /** Told each part as it comes up, for the log. */
  progress(message: string): void;
}

export interface LocalCluster {
  balancer: HaproxyFixture;
  replicas: readonly Replica[];
  database: PostgresFixture;
  s3: S3Fixture;
  shared: SharedParts;
  /** Stops the balancer, then the replicas, then the database and S3. Safe to call twice. */
  stop(): Promise<void>;
}

/** The bucket every replica records into, so that any replica plays any recording. */
const RECORDINGS_BUCKET = 'vigil-recordings';

/**
 * The whole cluster on loopback from the test fixtures: PostgreSQL and Ceph RGW side by side,
 * then the replicas, then HAProxy in front of them. Whatever started is stopped again when a
 * later part fails.
 */
export async function startCluster(options: ClusterOptions): Promise<LocalCluster> {
  const { source, dir, progress } = options;
  const count = options.replicas ?? 3;
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    // Front to back: the balancer first, so nothing new reaches a replica that is stopping.
    for (const part of started.reverse()) await part.stop().catch(() => {});
  };
  try {
    const [database, s3] = await Promise.all([
      startPostgres().then((fixture) => {
        started.push(fixture);
        progress(`database up: ${fixture.url}`);
        return fixture;
      }),
      // Far more than its 15 s on an idle machine: a loaded one (other test runs) is slow to
      // peer Ceph's placement groups, and `up` waits 240 s for everything.
      startS3({ startTimeoutMs: 150_000 }).then((fixture) => {
        started.push(fixture);
        progress(`s3 up: ${fixture.endpoint}`);
        return fixture;
      }),
    ]);
    await createBucket(s3, RECORDINGS_BUCKET);
    const secretFile = join(dir, 'cluster-secret');
    await writeFile(secretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const shared: SharedParts = {
      databaseUrl: database.url,
      secretFile,
      s3: {
        endpoint: s3.endpoint,
        region: s3.region,
        bucket: RECORDINGS_BUCKET,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
    };
    // One at a time: the first runs the schema migrations, and a 2-core machine starts three
    // Node processes faster in turn than all at once.
    const replicas: Replica[] = [];
    for (let n = 1; n <= count; n++) {
      const name = `replica-${n}`;
      const replica = await startReplica(name, join(dir, name), { source, shared });
      started.push(replica);
      replicas.push(replica);
      progress(`${name} up: ${replica.url} (pid ${replica.pid})`);
    }
    const balancer = await startHaproxy({
      backends: replicas.map(({ name, url }) => ({ name, url })),
      // A replica that fails /readyz (drain) or dies leaves the rotation within 2 s, and the
      // checks add only two lines a second to each replica's log.
      checkIntervalMs: 1_000,
    });
    started.push(balancer);
    progress(`balancer up: ${balancer.url}`);
    let stopping: Promise<void> | undefined;
    return {
      balancer,
      replicas,
      database,
      s3,
      shared,
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function createBucket(s3: S3Fixture, bucket: string): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}
