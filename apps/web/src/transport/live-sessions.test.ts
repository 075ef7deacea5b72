import { describe, expect, it } from 'vitest';
import { fetchLiveSessions, planForRemembered } from './live-sessions.js';

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
