import { describe, expect, it } from 'vitest';
import {
  endLiveSession,
  fetchAllLiveSessions,
  fetchLiveSessions,
  planForRemembered,
} from './live-sessions.js';

const session = (sessionId: string, startedAt: number, attached = false) => ({
  sessionId,
  target: 'demo',
  username: 'alice',
  startedAt,
  attached,
});

const respond = (status: number, body: unknown) => async () =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });

describe('fetchLiveSessions', () => {
  it('lists the sessions, newest first', async () => {
    const sessions = await fetchLiveSessions(
      respond(200, [session('a', 1), session('b', 3), session('c', 2)]),
    );
    expect(sessions?.map((s) => s.sessionId)).toEqual(['b', 'c', 'a']);
  });

  it('gives nothing back, without throwing, when the list cannot be had or read', async () => {
    expect(await fetchLiveSessions(respond(500, []))).toBeUndefined();
    expect(await fetchLiveSessions(respond(200, 'not json'))).toBeUndefined();
    expect(await fetchLiveSessions(respond(200, [{ sessionId: 1 }]))).toBeUndefined();
    const unreachable = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchLiveSessions(unreachable)).toBeUndefined();
  });
});

describe('planForRemembered', () => {
  it('takes up the remembered session when no other page has it', () => {
    const live = session('s1', 1);
    expect(planForRemembered('s1', [session('s0', 0), live])).toEqual({ kind: 'reattach', session: live });
  });

  it('waits while another page still has it', () => {
    expect(planForRemembered('s1', [session('s1', 1, true)])).toEqual({ kind: 'wait' });
  });

  it('does nothing for a session that is gone, or none remembered', () => {
    expect(planForRemembered('s1', [session('s2', 1)])).toEqual({ kind: 'none' });
    expect(planForRemembered(undefined, [session('s2', 1)])).toEqual({ kind: 'none' });
  });
});

describe('endLiveSession', () => {
  it('sends DELETE for the session and is quiet once it ended', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const recording = async (url: string | URL | Request, init?: RequestInit) => {
      calls.push([String(url), init]);
      return new Response(null, { status: 204 });
    };
    expect(await endLiveSession('a/b', recording as typeof fetch)).toBeUndefined();
    expect(calls).toEqual([['/api/sessions/a%2Fb', { method: 'DELETE' }]]);
  });

  it('says what went wrong otherwise', async () => {
    expect(await endLiveSession('s', respond(404, { error: 'no such session' }))).toBe(
      'That session has already ended.',
    );
    expect(await endLiveSession('s', respond(403, { error: 'cross-site request refused' }))).toBe(
      'The gateway could not end the session (HTTP 403: cross-site request refused).',
    );
    const unreachable = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await endLiveSession('s', unreachable)).toMatch(/^Could not reach the gateway \(/);
  });
});

describe('fetchAllLiveSessions', () => {
  const live = (sessionId: string, startedAt: number) => ({
    ...session(sessionId, startedAt),
    owner: 'user:bob',
    source: '127.0.0.1',
    bytesToTarget: 5,
    bytesFromTarget: 700,
    flow: {
      windowBytes: 100_000,
      unackedBytes: 40_000,
      channelWindowBytes: 65_536,
      drainBytesPerSecond: 1_000_000,
    },
  });

  it("lists every owner's sessions, newest first", async () => {
    const result = await fetchAllLiveSessions(respond(200, [live('a', 1), live('b', 2)]));
    expect(result).toEqual({ ok: true, sessions: [live('b', 2), live('a', 1)] });
  });

  it('says why the list is missing', async () => {
    expect(
      await fetchAllLiveSessions(respond(403, { error: 'the list of all sessions is for administrators' })),
    ).toEqual({
      ok: false,
      message:
        'The gateway could not list the live sessions (HTTP 403: the list of all sessions is for administrators).',
    });
    const unreadable = await fetchAllLiveSessions(respond(200, [{ sessionId: 'x' }]));
    expect(unreadable.ok).toBe(false);
  });
});
