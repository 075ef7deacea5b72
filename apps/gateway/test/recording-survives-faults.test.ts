import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type S3Fixture, startS3 } from '@vigil/test-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/password-hash.js';
import { PART_INTERVAL_MS } from '../src/recording/store/s3/part-schedule.js';
import { eventually } from './support/eventually.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import { ProtocolClient } from './support/protocol-client.js';
import { BucketUnderTest, outputOf, parseAsciicast } from './support/s3-recordings.js';

let s3: S3Fixture;
let db: PostgresFixture;
const gateways: GatewayUnderTest[] = [];
const processes: GatewayProcess[] = [];
const buckets: BucketUnderTest[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  [s3, db] = await Promise.all([startS3(), startPostgres()]);
}, 90_000);
afterAll(async () => {
  await Promise.all(processes.map((gateway) => gateway.stop()));
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

/** The shell prints its clock every 0.1 s: the last line anyone saw says when, in the target's time. */
const CLOCK = 'while :; do date +%s.%N; sleep 0.1; done\r';
const clockLines = (text: string) => [...text.matchAll(/^(\d{10}\.\d{9})\r?$/gm)].map((m) => Number(m[1]));

describe('a recording in S3 survives its faults', { timeout: 90_000 }, () => {
  it('loses at most the part interval of output when the owner is killed -9, and the rest once it restarts', async () => {
    const bucket = await newBucket();
    const passwordHash = await hashPassword('alice-pw');
    const shared = (sshd: Parameters<typeof pinnedTarget>[0]) => ({
      cluster: { databaseUrl: db.url },
      auth: { local: { users: [{ name: 'alice', passwordHash }] }, admins: { users: ['alice'] } },
      recordings: bucket.recordings(),
      targets: [pinnedTarget(sshd, { allow: { users: ['alice'], groups: [] } })],
    });
    const b = await startGateway(shared, undefined, bucket.env());
    gateways.push(b);
    const ownerDir = await mkdtemp(join(tmpdir(), 'vigil-owner-'));
    dirs.push(ownerDir);
    const startOwner = async () => {
      const owner = await startGatewayProcess(shared(b.sshd), { env: bucket.env(), dataDir: ownerDir });
      processes.push(owner);
      return owner;
    };
    const owner = await startOwner();
    const cookie = await b.signIn('alice', 'alice-pw');
    const client = await ProtocolClient.connect(owner.wsUrl, { cookie });
    const { user, password } = b.sshd;
    client.open({ target: 'fixture', username: user, auth: { method: 'password', password } });
    const { sessionId } = await client.message('opened');
    client.type(CLOCK);
    // Long enough for several parts to have gone up.
    await client.until('6 s of clock lines', () => clockLines(client.text()).length >= 60);
    owner.signal('SIGKILL');
    await owner.exited;
    const seen = clockLines(client.text()).at(-1) ?? 0;

    const response = await fetch(`${b.baseUrl}/api/recordings/${sessionId}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const fromParts = await response.text();
    const recorded = clockLines(outputOf(parseAsciicast(fromParts))).at(-1) ?? 0;
    const lostSeconds = seen - recorded;
    console.info(`owner killed -9: the recording in S3 lacked the last ${lostSeconds.toFixed(2)} s`);
    // The bound the docs give: one part interval, plus the upload in flight (a second is ample on loopback).
    expect(lostSeconds).toBeGreaterThanOrEqual(0);
    expect(lostSeconds).toBeLessThanOrEqual(PART_INTERVAL_MS / 1000 + 1);

    // The spool on the owner's disk holds the rest: restarted, it uploads and compacts it.
    expect((await readdir(join(ownerDir, 'recording-spool'))).length).toBe(1);
    await startOwner();
    await eventually(
      'the spool compacted',
      async () => (await bucket.keys()).join() === `${sessionId}.cast`,
      20_000,
    );
    const compacted = (await bucket.text(`${sessionId}.cast`)) ?? '';
    expect(compacted.startsWith(fromParts)).toBe(true);
    const output = outputOf(parseAsciicast(compacted));
    expect(clockLines(output).at(-1)).toBeGreaterThanOrEqual(recorded);
    // The terminal and the recording saw the same bytes, up to where either was cut off by the kill.
    const [shorter, longer] = [output, client.text()].sort((x, y) => x.length - y.length);
    expect(longer?.startsWith(shorter ?? '')).toBe(true);
    expect(existsSync(join(ownerDir, 'recording-spool', `${sessionId}.cast`))).toBe(false);
  });

  it('spools while S3 is down, plays from the spool meanwhile, and the recording is complete once it is back', async () => {
    const bucket = await newBucket();
    const gateway = await startGateway(
      (sshd) => ({ recordings: bucket.recordings(), targets: [pinnedTarget(sshd)] }),
      undefined,
      bucket.env(),
    );
    gateways.push(gateway);
    const cookie = await gateway.browserCookie();
    const client = await gateway.connect({ cookie });
    const { user, password } = gateway.sshd;
    client.open({ target: 'fixture', username: user, auth: { method: 'password', password } });
    const { sessionId } = await client.message('opened');
    client.type("printf 'before-%s\\n' outage\r");
    await eventually(
      'a part before the outage',
      async () => (await bucket.partsText(sessionId)).includes('before-outage'),
      10_000,
    );

    await s3.stopGateway();
    try {
      client.type("for i in $(seq 1 30); do printf 'during-outage-%s\\n' $i; sleep 0.1; done; exit\r");
      await client.message('exit');
      await client.closed();
      const spool = join(gateway.config.dataDir, 'recording-spool', `${sessionId}.cast`);
      expect(existsSync(spool)).toBe(true);
      // Meanwhile the replica that recorded it plays it from its spool.
      const played = await fetch(`${gateway.baseUrl}/api/recordings/${sessionId}`, { headers: { cookie } });
      expect(played.status).toBe(200);
      expect(outputOf(parseAsciicast(await played.text()))).toBe(client.text());
    } finally {
      await s3.startGateway();
    }
    await eventually(
      'the recording compacted',
      async () => (await bucket.keys()).join() === `${sessionId}.cast`,
      40_000,
    );
    const recording = parseAsciicast((await bucket.text(`${sessionId}.cast`)) ?? '');
    expect(outputOf(recording)).toBe(client.text());
    expect(outputOf(recording)).toContain('during-outage-30');
    expect(existsSync(join(gateway.config.dataDir, 'recording-spool', `${sessionId}.cast`))).toBe(false);
  });
});
