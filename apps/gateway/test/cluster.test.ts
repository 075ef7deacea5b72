import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOSE_CODES } from '@vigil/protocol';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { hashPassword } from '../src/auth/password-hash.js';
import { HOP_HEADER, HopTokens } from '../src/cluster/hop-token.js';
import { configSchema } from '../src/config/config-schema.js';
import { ConfigError } from '../src/config/load-config.js';
import { eventually } from './support/eventually.js';
import {
  type GatewayUnderTest,
  pinnedTarget,
  startGateway,
  TEST_CLUSTER_SECRET,
} from './support/gateway-under-test.js';
import { ProtocolClient } from './support/protocol-client.js';

let db: PostgresFixture;
let sshd: SshdFixture;
let a: GatewayUnderTest;
let b: GatewayUnderTest;
const dirs: string[] = [];

/** Replicas as behind one balancer: one database, one target, the same users. */
async function replica(users: { name: string; passwordHash: string; groups?: string[] }[]) {
  return startGateway(
    () => ({
      cluster: { databaseUrl: db.url },
      auth: { local: { users }, admins: { groups: ['ops'] } },
      targets: [pinnedTarget(sshd, { allow: { users: ['alice', 'bob', 'root'], groups: [] } })],
      limits: { maxSessionsPerUser: 3 },
    }),
    { sshd },
  );
}

beforeAll(async () => {
  [db, sshd] = await Promise.all([startPostgres(), startSshd()]);
  const users = [
    { name: 'alice', passwordHash: await hashPassword('alice-pw') },
    { name: 'bob', passwordHash: await hashPassword('bob-pw') },
    { name: 'root', passwordHash: await hashPassword('root-pw'), groups: ['ops'] },
  ];
  [a, b] = await Promise.all([replica(users), replica(users)]);
}, 90_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([sshd?.stop(), db?.stop()]);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const login = () => ({ username: sshd.user, auth: { method: 'password' as const, password: sshd.password } });

async function openOn(gateway: GatewayUnderTest, cookie: string) {
  const client = await gateway.connect({ cookie });
  client.open({ target: 'fixture', ...login() });
  const { sessionId } = await client.message('opened');
  return { client, sessionId };
}

describe('replicas sharing one database', { timeout: 60_000 }, () => {
  it('reattaches through another replica with every byte, typing and health carried over the hop', async () => {
    const cookie = await a.signIn('alice', 'alice-pw');
    const { client: first, sessionId } = await openOn(a, cookie);
    first.type('seq 1 3000; echo done-a\r');
    await first.outputMatching(/^done-a\r?$/m);
    const seenOnA = first.bytes();
    first.close();

    const second = await b.connect({ cookie });
    second.attach(sessionId, 0);
    expect(await second.message('attached')).toMatchObject({ sessionId, position: 0 });
    await second.until('the replay', () => second.bytes().length >= seenOnA.length);
    expect(second.bytes().subarray(0, seenOnA.length).equals(seenOnA)).toBe(true);
    second.type('echo typed-via-$((40+2))\r');
    await second.outputMatching(/^typed-via-42\r?$/m);
    const health = await second.message('health');
    expect(health.hop).toMatchObject({ state: expect.stringMatching(/live|off/) });
    await second.until('a round trip on every leg', () => {
      const last = second.messages.filter((m) => m.type === 'health').at(-1);
      return (
        last?.type === 'health' && last.hop?.lastRttMs !== undefined && last.browser.lastRttMs !== undefined
      );
    });
    second.type('exit\r');
    expect(await second.message('exit')).toMatchObject({ code: 0 });
    expect(await second.closed()).toBe(CLOSE_CODES.sessionEnded);
  });

  it("lists a person's sessions from every replica, and an administrator on B ends one owned by A", async () => {
    const alice = await a.signIn('alice', 'alice-pw');
    const { client, sessionId } = await openOn(a, alice);
    const listed = await (await fetch(`${b.baseUrl}/api/sessions`, { headers: { cookie: alice } })).json();
    expect(listed).toEqual([expect.objectContaining({ sessionId, attached: true })]);

    const root = await b.signIn('root', 'root-pw');
    const all = await (await fetch(`${b.baseUrl}/api/admin/sessions`, { headers: { cookie: root } })).json();
    expect(all).toContainEqual(expect.objectContaining({ sessionId, owner: 'user:alice' }));
    const ended = await fetch(`${b.baseUrl}/api/sessions/${sessionId}`, {
      method: 'DELETE',
      headers: { cookie: root, origin: b.baseUrl },
    });
    expect(ended.status).toBe(204);
    expect(await client.message('error')).toMatchObject({ code: 'SESSION_ENDED', fatal: true });
    await eventually(
      'the end in the audit trail',
      async () => (await b.audit.query({ sessionId, kind: 'session-end' })).length === 1,
    );
    const [end] = await b.audit.query({ sessionId, kind: 'session-end' });
    expect(end?.event).toMatchObject({ end: { reason: 'ended-by', by: 'root' } });
  });

  it("keeps one person's session invisible to another on every replica", async () => {
    const alice = await a.signIn('alice', 'alice-pw');
    const { sessionId } = await openOn(a, alice);
    const bob = await b.signIn('bob', 'bob-pw');
    const listed = await (await fetch(`${b.baseUrl}/api/sessions`, { headers: { cookie: bob } })).json();
    expect(listed).toEqual([]);
    const ended = await fetch(`${b.baseUrl}/api/sessions/${sessionId}`, {
      method: 'DELETE',
      headers: { cookie: bob, origin: b.baseUrl },
    });
    expect(ended.status).toBe(404);
    const thief = await b.connect({ cookie: bob });
    thief.attach(sessionId, null);
    expect(await thief.message('error')).toMatchObject({ code: 'SESSION_NOT_FOUND', fatal: true });
  });

  it("counts a person's sessions across replicas against the limit", async () => {
    const bob = await a.signIn('bob', 'bob-pw');
    await openOn(a, bob);
    await openOn(b, bob);
    await openOn(a, bob);
    const fourth = await b.connect({ cookie: bob });
    fourth.open({ target: 'fixture', ...login() });
    expect(await fourth.message('error')).toMatchObject({ code: 'TOO_MANY_SESSIONS', fatal: true });
  });

  it('refuses internal requests without a valid, fresh hop token, and never takes a second hop', async () => {
    const sessions = `${a.baseUrl}/internal/sessions`;
    expect((await fetch(sessions)).status).toBe(401);
    const foreign = new HopTokens(Buffer.alloc(32, 1));
    const requester = { owner: 'user:root', name: 'root', admin: true, source: '127.0.0.1' };
    const forged = foreign.mint({ purpose: 'list', requester, from: 'r-x' });
    expect((await fetch(sessions, { headers: { [HOP_HEADER]: forged } })).status).toBe(401);
    const genuine = new HopTokens(Buffer.from(TEST_CLUSTER_SECRET)).mint({
      purpose: 'list',
      requester,
      from: 'r-x',
    });
    expect((await fetch(sessions, { headers: { [HOP_HEADER]: genuine } })).status).toBe(200);
    expect((await fetch(sessions, { headers: { [HOP_HEADER]: genuine } })).status).toBe(401);

    // A's own session, asked of B's internal endpoint: B holds it not, and does not ask further.
    const alice = await a.signIn('alice', 'alice-pw');
    const { sessionId } = await openOn(a, alice);
    const hop = new HopTokens(Buffer.from(TEST_CLUSTER_SECRET)).mint({
      purpose: 'attach',
      sessionId,
      requester: { ...requester, owner: 'user:alice', name: 'alice', admin: false },
      from: 'r-x',
    });
    const second = await ProtocolClient.connect(`${b.wsUrl.replace(/\/ws$/, '')}/internal/terminal`, {
      [HOP_HEADER]: hop,
    });
    second.attach(sessionId, 0);
    expect(await second.message('error')).toMatchObject({ code: 'SESSION_NOT_FOUND', fatal: true });
  });

  it('answers a page that sends a hop-only message with an error, and carries on', async () => {
    const alice = await a.signIn('alice', 'alice-pw');
    const { client, sessionId } = await openOn(a, alice);
    client.send({ type: 'hop-leg', browserRttMs: 5 });
    expect(await client.message('error')).toMatchObject({ code: 'UNEXPECTED_MESSAGE', fatal: false });
    client.close();
    const relayed = await b.connect({ cookie: alice });
    relayed.attach(sessionId, null);
    await relayed.message('attached');
    relayed.send({ type: 'hop-leg', browserRttMs: 5 });
    expect(await relayed.message('error')).toMatchObject({ code: 'UNEXPECTED_MESSAGE', fatal: false });
    relayed.type('echo still-$((6*7))\r');
    await relayed.outputMatching(/^still-42\r?$/m);
  });
});

describe('joining a cluster', { timeout: 30_000 }, () => {
  async function configWith(cluster: Record<string, unknown>) {
    const dataDir = await mkdtemp(join(tmpdir(), 'vigil-join-'));
    dirs.push(dataDir);
    return { dataDir, config: configSchema.parse({ listen: { port: 0 }, dataDir, cluster }) };
  }

  it('refuses a replica without a cluster secret, naming the setting', async () => {
    const { config } = await configWith({ databaseUrl: db.url });
    const started = buildApp(config, { logger: false });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(
      /cluster\.secretFile: replicas sharing a database need a shared secret/,
    );
  });

  it("refuses a replica whose secret differs from the cluster's", async () => {
    const { dataDir } = await configWith({});
    const secretFile = join(dataDir, 'other-secret');
    await writeFile(secretFile, createHmac('sha256', 'other').digest('hex'));
    const { config } = await configWith({ databaseUrl: db.url, secretFile });
    await expect(buildApp(config, { logger: false })).rejects.toThrow(
      /cluster\.secretFile: this secret differs from the one the cluster's replicas use/,
    );
  });
});
