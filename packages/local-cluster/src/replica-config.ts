import type { Config } from '@vigil/gateway';

/** Where the shared parts of the cluster are, as the replicas need them. */
export interface SharedParts {
  databaseUrl: string;
  /** The file holding the secret every replica signs its hops with (in the cluster's folder, 0600). */
  secretFile: string;
  s3: { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
}

export interface ReplicaInput {
  /** The person's config (`--config`, or the embedded default), validated, its paths absolute. */
  source: Config;
  port: number;
  /** The replica's own folder for what stays local (its data folder). */
  dataDir: string;
  shared: SharedParts;
}

/**
 * A replica's config: the person's (targets, sign-in, limits, heartbeats) with where it listens
 * and where it keeps its state replaced, so the replicas of one cluster differ only there.
 */
export function replicaConfig({ source, port, dataDir, shared }: ReplicaInput): Record<string, unknown> {
  const { listen: _listen, audit: _audit, cluster, recordings, ...rest } = source;
  const { directory: _directory, ...recordingPolicy } = recordings;
  return {
    ...rest,
    // HAProxy, on the same loopback, names the browser in X-Forwarded-For.
    listen: { host: '127.0.0.1', port, trustProxy: ['127.0.0.1/32'] },
    dataDir,
    // CLUSTER SETTINGS, the one place for them. Every replica records into the one bucket, so
    // any of them plays any recording (its credentials are in replicaEnv).
    recordings: {
      ...recordingPolicy,
      s3: { bucket: shared.s3.bucket, endpoint: shared.s3.endpoint, forcePathStyle: true },
    },
    cluster: {
      // The others reach it where it listens; the database comes from replicaEnv.
      replicaUrl: `http://127.0.0.1:${port}`,
      secretFile: shared.secretFile,
      leaseSeconds: cluster.leaseSeconds,
    },
  };
}

/**
 * A replica's environment: the shared database, and the S3 credentials in the standard AWS
 * variables (the AWS SDK reads them; nothing else from the developer's shell reaches a replica).
 */
export function replicaEnv({ shared }: Pick<ReplicaInput, 'shared'>): Record<string, string> {
  return {
    VIGIL_DATABASE_URL: shared.databaseUrl,
    AWS_ACCESS_KEY_ID: shared.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: shared.s3.secretAccessKey,
    AWS_REGION: shared.s3.region,
  };
}
