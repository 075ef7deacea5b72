import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/password-hash.js';
import { parseConfig } from '../src/config/load-config.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import { ProtocolClient } from './support/protocol-client.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  const [alice, bob, carol] = await Promise.all([
    hashPassword('alice-pw'),
    hashPassword('bob-pw'),
    hashPassword('carol-pw'),
  ]);
  gateway = await startGateway((sshd) => ({
    auth: {
      local: {
        users: [
          { name: 'alice', passwordHash: alice, groups: ['ops'] },
          { name: 'bob', passwordHash: bob, groups: ['dev'] },
          { name: 'carol', passwordHash: carol },
        ],
      },
      // Only 127.0.0.2 may vouch for users; the tests themselves connect from 127.0.0.1.
      trustedHeader: { proxies: ['127.0.0.2/32'] },
      admins: { groups: ['ops'] },
    },
    targets: [
      pinnedTarget(sshd, { name: 'ops-box', allow: { groups: ['ops'] } }),
      pinnedTarget(sshd, { name: 'dev-box', allow: { users: ['bob'] } }),
    ],
  }));
});
afterAll(() => gateway?.stop());

async function signIn(name: string, password: string, origin?: string) {
  return fetch(`${gateway.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body: JSON.stringify({ name, password }),
  });
}

const cookieOf = (name: string, password: string) => gateway.signIn(name, password);

const get = (path: string, cookie = '') => fetch(`${gateway.baseUrl}${path}`, { headers: { cookie } });
const targetNames = async (cookie: string) =>
  ((await (await get('/api/targets', cookie)).json()) as { name: string }[]).map((t) => t.name);

async function openSession(cookie: string, target: string) {
  const client = await gateway.connect({ cookie });
  client.open({
    target,
    username: gateway.sshd.user,
    auth: { method: 'password', password: gateway.sshd.password },
  });
  return client;
}

describe('gateway sign-in and authorization', () => {
  it('requires sign-in for the API and the WebSocket, but not for the page', async () => {
    expect((await get('/api/targets')).status).toBe(401);
    expect((await get('/api/sessions')).status).toBe(401);
    expect(await (await get('/api/me')).json()).toEqual({
      required: true,
      methods: ['local', 'trusted-header'],
    });
    await expect(gateway.connect()).rejects.toThrow('HTTP 401');
    expect((await get('/healthz')).status).toBe(200);
  });

  it('shows each user only the targets granted to them', async () => {
    const alice = await cookieOf('alice', 'alice-pw');
    const bob = await cookieOf('bob', 'bob-pw');
    expect(await targetNames(alice)).toEqual(['ops-box']);
    expect(await targetNames(bob)).toEqual(['dev-box']);
    expect(await (await get('/api/me', alice)).json()).toMatchObject({
      user: { name: 'alice', groups: ['ops'], admin: true },
    });
    expect(await (await get('/api/me', bob)).json()).toMatchObject({ user: { name: 'bob', admin: false } });
  });

  it('refuses an ungranted target over the WebSocket exactly like an unknown one', async () => {
    const alice = await cookieOf('alice', 'alice-pw');
    const client = await openSession(alice, 'dev-box');
    expect(await client.message('error')).toMatchObject({
      code: 'TARGET_NOT_ALLOWED',
      message: '"dev-box" is not a target this gateway allows.',
    });
  });

  it("keeps a user's sessions from every other user, while their own browsers can reattach", async () => {
    const bob = await cookieOf('bob', 'bob-pw');
    const alice = await cookieOf('alice', 'alice-pw');
    const client = await openSession(bob, 'dev-box');
    const { sessionId } = await client.message('opened');

    expect(await (await get('/api/sessions', alice)).json()).toEqual([]);
    const intruder = await gateway.connect({ cookie: alice });
    intruder.attach(sessionId, null);
    expect(await intruder.message('error')).toMatchObject({ code: 'SESSION_NOT_FOUND' });

    // Bob signs in again from another browser: his session follows him.
    const bobElsewhere = await cookieOf('bob', 'bob-pw');
    expect(await (await get('/api/sessions', bobElsewhere)).json()).toMatchObject([
      { sessionId, target: 'dev-box' },
    ]);
    const second = await gateway.connect({ cookie: bobElsewhere });
    second.attach(sessionId, null);
    await second.message('attached');
  });

  it('refuses cross-site state changes and cross-origin WebSockets', async () => {
    expect((await signIn('alice', 'alice-pw', 'https://evil.example')).status).toBe(403);
    const alice = await cookieOf('alice', 'alice-pw');
    await expect(
      ProtocolClient.connect(gateway.wsUrl, { cookie: alice, origin: 'https://evil.example' }),
    ).rejects.toThrow('HTTP 403');
  });

  it('honours the trusted header only from the configured proxy address', async () => {
    const viaHeader = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        const port = Number(new URL(gateway.baseUrl).port);
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/api/targets',
            localAddress,
            headers: { 'x-forwarded-user': 'bob' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await viaHeader('127.0.0.1')).toBe(401);
    expect(await viaHeader('127.0.0.2')).toBe(200);
  });

  it('refuses to listen beyond loopback without sign-in', () => {
    expect(() => parseConfig('listen: { host: 0.0.0.0 }\n', 'v.yaml', '/')).toThrow(
      'v.yaml:1:17: listen.host: listening on 0.0.0.0 needs sign-in: configure auth',
    );
    expect(parseConfig('listen: { host: 127.0.0.1 }\n', 'v.yaml', '/').listen.host).toBe('127.0.0.1');
  });
});

describe('sign-in throttling', () => {
  // A gateway of its own: its per-address limit must start from zero.
  let fresh: GatewayUnderTest;
  beforeAll(async () => {
    const hash = await hashPassword('alice-pw');
    fresh = await startGateway((sshd) => ({
      auth: { local: { users: [{ name: 'alice', passwordHash: hash }] } },
      targets: [pinnedTarget(sshd, { allow: { users: ['alice'] } })],
    }));
  });
  afterAll(() => fresh?.stop());

  const attempt = (name: string, password: string) =>
    fetch(`${fresh.baseUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });

  it('throttles failed sign-ins per user, even with the right password afterwards', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt('alice', `guess-${i}`)).status).toBe(401);
    const blocked = await attempt('alice', 'alice-pw');
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toEqual({
      error: 'too many failed sign-ins for this user; try again in 15 minutes',
    });
    const outcomes = (await fresh.audit.query({ kind: 'sign-in' })).map(
      (r) => r.event.kind === 'sign-in' && r.event.outcome,
    );
    expect(outcomes).toEqual(['failure', 'failure', 'failure', 'failure', 'failure', 'throttled']);
  });

  it('limits sign-in attempts per address, whatever the user names', async () => {
    // Six attempts were made above; the address may make ten a minute.
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(`someone-${i}`, 'x')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const refused = await attempt('someone-else', 'x');
    expect(await refused.json()).toMatchObject({
      error: expect.stringMatching(/^too many sign-in attempts from this address; try again in \d+ s$/),
    });
  });
});

describe('audit and recordings for administrators and owners', () => {
  it('lets admins read the audit log and any recording, owners only their own', async () => {
    const alice = await cookieOf('alice', 'alice-pw'); // admin (group ops)
    const bob = await cookieOf('bob', 'bob-pw');
    const client = await openSession(bob, 'dev-box');
    const { sessionId } = await client.message('opened');
    client.type('echo recorded-line\r');
    await client.outputMatching(/^recorded-line\r?$/m);
    client.type('exit\r');
    await client.message('exit');
    await client.closed();

    expect((await get('/api/audit', bob)).status).toBe(403);
    const rows = (await (await get(`/api/audit?sessionId=${sessionId}`, alice)).json()) as {
      event: { kind: string; owner: string };
    }[];
    expect(rows.map((r) => r.event.kind)).toEqual(['session-start', 'session-end']);
    expect(rows[0]!.event.owner).toBe('user:bob');
    const newest = (await (
      await get(`/api/audit?sessionId=${sessionId}&order=newest&limit=1`, alice)
    ).json()) as {
      id: number;
      event: { kind: string };
    }[];
    expect(newest.map((r) => r.event.kind)).toEqual(['session-end']);
    const before = (await (
      await get(`/api/audit?sessionId=${sessionId}&order=newest&beforeId=${newest[0]!.id}`, alice)
    ).json()) as { event: { kind: string } }[];
    expect(before.map((r) => r.event.kind)).toEqual(['session-start']);
    expect((await get('/api/audit?limit=abc', alice)).status).toBe(400);

    const fetchRecording = async (cookie: string) => {
      for (let i = 0; i < 40; i++) {
        const response = await get(`/api/recordings/${sessionId}`, cookie);
        const text = await response.text();
        if (response.status !== 200 || text.includes('exit')) return { status: response.status, text };
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the recording never completed');
    };
    const asOwner = await fetchRecording(bob);
    expect(asOwner.status).toBe(200);
    expect(JSON.parse(asOwner.text.split('\n')[0]!)).toMatchObject({ version: 2 });
    expect(asOwner.text).toContain('recorded-line');
    expect((await fetchRecording(alice)).status).toBe(200);
    const carol = await cookieOf('carol', 'carol-pw'); // neither owner nor admin
    expect((await get(`/api/recordings/${sessionId}`, carol)).status).toBe(404);
    expect((await get('/api/audit', carol)).status).toBe(403);
    expect((await get(`/api/recordings/${sessionId}`)).status).toBe(401);
    expect((await get('/api/recordings/not-an-id', alice)).status).toBe(404);
  });
});
