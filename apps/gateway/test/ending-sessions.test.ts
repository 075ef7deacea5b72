import { CLOSE_CODES } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/password-hash.js';
import { eventually } from './support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  const users = await Promise.all(
    ['alice', 'bob', 'carol'].map(async (name) => ({ name, passwordHash: await hashPassword(`${name}-pw`) })),
  );
  gateway = await startGateway((sshd) => ({
    auth: { local: { users }, admins: { users: ['alice'] } },
    targets: [pinnedTarget(sshd, { name: 'box', allow: { users: ['alice', 'bob', 'carol'] } })],
  }));
  for (const { name } of users) cookies[name] = await gateway.signIn(name, `${name}-pw`);
});
afterAll(() => gateway?.stop());

const api = (path: string, who: string, init: RequestInit = {}) =>
  fetch(`${gateway.baseUrl}${path}`, {
    ...init,
    headers: { cookie: cookies[who]!, ...(init.headers as Record<string, string>) },
  });
const endSession = (sessionId: string, who: string, headers: Record<string, string> = {}) =>
  api(`/api/sessions/${sessionId}`, who, { method: 'DELETE', headers });

async function openAs(who: string) {
  const client = await gateway.connect({ cookie: cookies[who]! });
  client.open({
    target: 'box',
    username: gateway.sshd.user,
    auth: { method: 'password', password: gateway.sshd.password },
  });
  const { sessionId } = await client.message('opened');
  client.type('echo up-$((40+2))\r');
  await client.outputMatching(/^up-42\r?$/m);
  return { client, sessionId };
}

async function endOf(sessionId: string) {
  const ended = async () => (await gateway.audit.query({ sessionId, kind: 'session-end' }))[0]?.event;
  await eventually('the session-end audit row', async () => (await ended()) !== undefined);
  return ended();
}

describe('ending sessions: the administrator kill switch and the owner', () => {
  it("lists every owner's live sessions for administrators only", async () => {
    const { client, sessionId } = await openAs('bob');
    const response = await api('/api/admin/sessions', 'alice');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        sessionId,
        target: 'box',
        username: gateway.sshd.user,
        startedAt: expect.any(Number),
        attached: true,
        owner: 'user:bob',
        source: '127.0.0.1',
        bytesToTarget: 'echo up-$((40+2))\r'.length,
        bytesFromTarget: expect.any(Number),
        flow: {
          windowBytes: expect.any(Number),
          unackedBytes: expect.any(Number),
          channelWindowBytes: expect.any(Number),
          drainBytesPerSecond: expect.toSatisfy((rate) => rate === null || rate > 0),
        },
      },
    ]);
    expect((await api('/api/admin/sessions', 'bob')).status).toBe(403);
    client.type('exit\r');
    await client.closed();
  });

  it("lets an administrator end anyone's session: the shell closes, its browser and the audit trail say who", async () => {
    const { client, sessionId } = await openAs('bob');
    // Someone else's session looks like no session at all; a foreign page cannot trigger the kill.
    expect((await endSession(sessionId, 'carol')).status).toBe(404);
    expect((await endSession(sessionId, 'alice', { origin: 'https://evil.example' })).status).toBe(403);
    expect(await (await api('/api/sessions', 'bob')).json()).toHaveLength(1);

    expect((await endSession(sessionId, 'alice')).status).toBe(204);
    expect(await client.message('error')).toEqual({
      type: 'error',
      code: 'SESSION_ENDED',
      message: 'This session was ended by alice (an administrator).',
      fatal: true,
    });
    await client.closed();
    expect(await endOf(sessionId)).toMatchObject({
      owner: 'user:bob',
      end: { reason: 'ended-by', by: 'alice' },
    });
    // The SSH connection itself is gone, not just the browser's view of it.
    await eventually(
      'sshd to drop the connection',
      async () => (await gateway.sshd.connectionPids()).length === 0,
    );
    expect(await (await api('/api/sessions', 'bob')).json()).toEqual([]);
    expect((await endSession(sessionId, 'alice')).status).toBe(404);
  });

  it('lets owners end their own session, such as one left waiting in a closed window', async () => {
    const { client, sessionId } = await openAs('carol');
    client.close();
    await eventually('the session to wait for its browser', async () => {
      const [listed] = (await (await api('/api/sessions', 'carol')).json()) as { attached: boolean }[];
      return listed?.attached === false;
    });
    expect((await endSession(sessionId, 'carol')).status).toBe(204);
    expect(await endOf(sessionId)).toMatchObject({
      owner: 'user:carol',
      end: { reason: 'ended-by', by: 'carol' },
    });
    expect(await (await api('/api/sessions', 'carol')).json()).toEqual([]);
  });
});

describe('a sign-in that ends', () => {
  it("closes the browser's socket, and the session waits for the person to sign in again", async () => {
    const { client, sessionId } = await openAs('bob');
    const signedOut = await api('/api/logout', 'bob', { method: 'POST' });
    expect(signedOut.status).toBe(204);
    expect(await client.closed()).toBe(CLOSE_CODES.signInEnded);
    expect((await api('/api/sessions', 'bob')).status).toBe(401);

    cookies.bob = await gateway.signIn('bob', 'bob-pw');
    expect(await (await api('/api/sessions', 'bob')).json()).toMatchObject([{ sessionId, attached: false }]);
    const back = await gateway.connect({ cookie: cookies.bob! });
    back.attach(sessionId, null);
    await back.message('attached');
    back.type('echo still-$((40+2))\r');
    await back.outputMatching(/^still-42\r?$/m);
  });
});
