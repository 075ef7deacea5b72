import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config/config-schema.js';
import { ConfigError } from '../../config/load-config.js';
import { RecordingThread } from '../recording-thread.js';
import { LocalRecordingStore } from './local/local-recording-store.js';
import type { RecordingStore } from './recording-store.js';
import { RecordingKeys } from './s3/recording-keys.js';
import { S3Bucket, type S3Settings } from './s3/s3-bucket.js';
import { S3RecordingStore } from './s3/s3-recording-store.js';

type S3Config = NonNullable<Config['recordings']['s3']>;

function recordingsDirectory(config: Config): string {
  return config.recordings.directory ?? join(config.dataDir, 'recordings');
}

/** Where the S3 side keeps what it has not uploaded yet. */
function spoolDirectory(config: Config): string {
  return join(config.dataDir, 'recording-spool');
}

/**
 * The one place that picks a side of the recording store: local files, or an S3 bucket when
 * `recordings.s3` is set. The S3 side writes and deletes a probe object first, so that a wrong
 * bucket, endpoint or credentials stop the start with the setting to fix, instead of sessions
 * recording into a spool that can never drain. Undefined when recordings are off.
 */
export async function openRecordingStore(
  config: Config,
  log: FastifyBaseLogger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RecordingStore | undefined> {
  if (!config.recordings.enabled) return undefined;
  // Started on the first recording; stopped with the store.
  const thread = new RecordingThread();
  const s3 = config.recordings.s3;
  if (s3 === undefined) return new LocalRecordingStore(recordingsDirectory(config), thread);
  const settings = s3Settings(s3, env);
  const bucket = new S3Bucket(settings, {
    unavailable: (error) =>
      log.error(
        { err: error, bucket: settings.bucket },
        `S3 unavailable: recordings are kept in ${spoolDirectory(config)} and uploaded when it returns`,
      ),
    recovered: () => log.info({ bucket: settings.bucket }, 'S3 is back: spooled recordings are uploading'),
  });
  try {
    await bucket.probe(s3.prefix);
  } catch (error) {
    bucket.destroy();
    throw new ConfigError([startupProblem(error, settings)]);
  }
  return S3RecordingStore.open(spoolDirectory(config), thread, bucket, new RecordingKeys(s3.prefix), log);
}

/** The config's settings completed from the standard AWS environment variables; credentials only from there. */
function s3Settings(s3: S3Config, env: NodeJS.ProcessEnv): S3Settings {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError([
      'recordings.s3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (credentials are never read from the config file)',
    ]);
  }
  return {
    bucket: s3.bucket,
    endpoint: s3.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined),
    region: s3.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'),
    forcePathStyle: s3.forcePathStyle,
    credentials: {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    },
  };
}

/** Why the probe failed, naming the setting to fix. */
function startupProblem(error: unknown, settings: S3Settings): string {
  const { name, message, code } = error as { name?: string; message?: string; code?: string };
  const where = settings.endpoint ?? 'AWS S3';
  switch (name) {
    case 'NoSuchBucket':
      return `recordings.s3.bucket: there is no bucket "${settings.bucket}" at ${where}`;
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'AccessDenied':
    case 'Forbidden':
      return `recordings.s3: ${where} refuses the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for bucket "${settings.bucket}" (${name}: ${message})`;
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return `recordings.s3.region: bucket "${settings.bucket}" is not in region ${settings.region} (${name}: ${message})`;
  }
  const reason = code ?? name ?? 'error';
  return `recordings.s3.endpoint: cannot store a recording at ${where} in bucket "${settings.bucket}" (${reason}: ${message})`;
}
