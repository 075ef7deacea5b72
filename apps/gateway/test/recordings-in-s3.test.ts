import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type S3Fixture, startS3 } from '@vigil/test-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { hashPassword } from '../src/auth/password-hash.js';
import { configSchema } from '../src/config/config-schema.js';
import { parseConfig } from '../src/config/load-config.js';
import { eventually } from './support/eventually.js';
import { startGatewayProcess } from './support/gateway-process.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import { BucketUnderTest, outputOf, parseAsciicast, s3Env } from './support/s3-recordings.js';

let s3: S3Fixture;
let db: PostgresFixture;
const gateways: GatewayUnderTest[] = [];
const buckets: BucketUnderTest[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  [s3, db] = await Promise.all([startS3(), startPostgres()]);
}, 90_000);
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  for (const bucket of buckets) bucket.destroy();
  await Promise.all([s3?.stop(), db?.stop()]);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function newBucket() {
  const bucket = await BucketUnderTest.create(s3);
  buckets.push(bucket);
  return bucket;
}

async function recordingInto(bucket: BucketUnderTest) {
  const gateway = await startGateway(
    (sshd) => ({ recordings: bucket.recordings(), targets: [pinnedTarget(sshd)] }),
    undefined,
    bucket.env(),
  );
  gateways.push(gateway);
  return gateway;
}

async function open(gateway: GatewayUnderTest, cookie?: string) {
  const client = await gateway.connect({ cookie: cookie ?? (await gateway.browserCookie()) });
  const { user, password } = gateway.sshd;
  client.open({
    target: 'fixture',
    username: user,
    auth: { method: 'password', password },
    cols: 90,
    rows: 30,
  });
  const { sessionId } = await client.message('opened');
  return { client, sessionId };
}

/** A config as a bare gateway would get it, for start-up checks. */
async function bareConfig(recordings: Record<string, unknown>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-s3-config-'));
  dirs.push(dataDir);
  return configSchema.parse({ listen: { port: 0 }, dataDir, recordings });
}

describe('recordings in S3', { timeout: 60_000 }, () => {
  it('land in the bucket in parts while the session runs, then as one asciicast v2 object equal to what the terminal saw', async () => {
    const bucket = await newBucket();
    const gateway = await recordingInto(bucket);
    const { client, sessionId } = await open(gateway);
    client.type("printf 'first-%s\\n' line\r");
    await client.outputMatching(/^first-line\r?$/m);
    await eventually(
      'the first line in the uploaded parts',
      async () => (await bucket.partsText(sessionId)).includes('first-line'),
      10_000,
    );
    // While it runs, the parts play on their own and nothing is compacted yet.
    expect(parseAsciicast(await bucket.partsText(sessionId)).header).toMatchObject({ version: 2, width: 90 });
    expect(await bucket.keys(`${sessionId}.cast`)).toEqual([]);

    client.send({ type: 'resize', cols: 100, rows: 40 });
    client.type("printf '漢字 🙂 %s\\n' last; exit\r");
    await client.message('exit');
    await client.closed();
    await eventually(
      'the recording compacted and its parts removed',
      async () => (await bucket.keys()).join() === `${sessionId}.cast`,
      15_000,
    );
    const recording = parseAsciicast((await bucket.text(`${sessionId}.cast`)) ?? '');
    expect(recording.header).toMatchObject({ version: 2, width: 90, height: 30 });
    expect(recording.events.filter((event) => event[1] === 'r').map((event) => event[2])).toEqual(['100x40']);
    expect(outputOf(recording)).toBe(client.text());
    expect(outputOf(recording)).toContain('漢字 🙂 last');
  });

  it('keeps a recording larger than a part whole: parts cut at 8 MiB while it runs, a multipart object after', async () => {
    const bucket = await newBucket();
    const gateway = await recordingInto(bucket);
    const { client, sessionId } = await open(gateway);
    // About 15 MB of output, as fast as the shell prints it.
    client.type('seq 1 2000000; exit\r');
    await client.message('exit', 60_000);
    await client.closed();
    await eventually(
      'the large recording compacted',
      async () => (await bucket.keys()).join() === `${sessionId}.cast`,
      30_000,
    );
    const recording = parseAsciicast((await bucket.text(`${sessionId}.cast`)) ?? '');
    expect(outputOf(recording)).toBe(client.text());
    expect(outputOf(recording)).toMatch(/^2000000\r?$/m);
  });

  it('plays from another replica sharing the database and the bucket, while the session runs and after', async () => {
    const bucket = await newBucket();
    const passwordHash = await hashPassword('alice-pw');
    const replicaConfig = (sshd: Parameters<typeof pinnedTarget>[0]) => ({
      cluster: { databaseUrl: db.url },
      auth: { local: { users: [{ name: 'alice', passwordHash }] } },
      recordings: bucket.recordings(),
      targets: [pinnedTarget(sshd, { allow: { users: ['alice'], groups: [] } })],
    });
    const a = await startGateway(replicaConfig, undefined, bucket.env());
    gateways.push(a);
    const b = await startGateway(() => replicaConfig(a.sshd), undefined, bucket.env());
    gateways.push(b);
    const cookie = await a.signIn('alice', 'alice-pw');
    const { client, sessionId } = await open(a, cookie);
    const playFromB = async () => {
      const response = await fetch(`${b.baseUrl}/api/recordings/${sessionId}`, { headers: { cookie } });
      return { status: response.status, text: await response.text() };
    };
    client.type("printf 'live-%s\\n' marker\r");
    await client.outputMatching(/^live-marker\r?$/m);
    await eventually(
      'B to play the live recording',
      async () => (await playFromB()).text.includes('live-marker'),
      10_000,
    );
    const live = await playFromB();
    expect(live.status).toBe(200);
    expect(outputOf(parseAsciicast(live.text))).toContain('live-marker');
    expect(await bucket.keys(`${sessionId}.cast`)).toEqual([]);

    client.type("printf 'after-%s\\n' marker; exit\r");
    await client.message('exit');
    await client.closed();
    await eventually(
      'the compacted recording',
      async () => (await bucket.keys('parts/')).length === 0,
      15_000,
    );
    const after = await playFromB();
    expect(after.status).toBe(200);
    expect(after.text).toBe(await bucket.text(`${sessionId}.cast`));
    expect(outputOf(parseAsciicast(after.text))).toBe(client.text());
  });
});

describe('a bucket that cannot be used stops start-up, naming the setting', { timeout: 60_000 }, () => {
  it('refuses a bucket that does not exist', async () => {
    const config = await bareConfig({
      s3: { bucket: 'no-such-bucket', endpoint: s3.endpoint, forcePathStyle: true },
    });
    await expect(buildApp(config, { logger: false, env: s3Env(s3) })).rejects.toThrow(
      /recordings\.s3\.bucket: there is no bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it('refuses wrong or missing credentials, naming the environment variables', async () => {
    const bucket = await newBucket();
    const config = await bareConfig(bucket.recordings());
    await expect(buildApp(config, { logger: false, env: s3Env(s3, 'wrong-secret') })).rejects.toThrow(
      /recordings\.s3: .* refuses the credentials in AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY .*SignatureDoesNotMatch/,
    );
    await expect(buildApp(config, { logger: false, env: {} })).rejects.toThrow(
      /recordings\.s3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment/,
    );
  });

  it('refuses an endpoint where no S3 answers', async () => {
    const config = await bareConfig({
      s3: { bucket: 'recordings', endpoint: 'http://127.0.0.1:9', forcePathStyle: true },
    });
    await expect(buildApp(config, { logger: false, env: s3Env(s3) })).rejects.toThrow(
      /recordings\.s3\.endpoint: cannot store a recording at http:\/\/127\.0\.0\.1:9 .*ECONNREFUSED/,
    );
  });

  it('refuses a name S3 would not take, at the line in the config file', () => {
    const text = 'recordings:\n  s3:\n    bucket: Not_A_Bucket\n';
    expect(() => parseConfig(text, 'vigil.yaml', '/etc/vigil')).toThrow(
      /recordings\.s3\.bucket.*must be an S3 bucket name/,
    );
  });

  it('makes `vigil` exit with the reason, as an operator sees it', async () => {
    const recordings = { s3: { bucket: 'no-such-bucket', endpoint: s3.endpoint, forcePathStyle: true } };
    await expect(startGatewayProcess({ recordings }, { env: s3Env(s3) })).rejects.toThrow(
      /vigil: Invalid configuration:\n\s+recordings\.s3\.bucket: there is no bucket "no-such-bucket"/,
    );
  });
});
