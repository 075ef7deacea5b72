import { describe, expect, it } from 'vitest';
import { fetchSignInState, logIn, logOut } from './gateway-sign-in.js';

function answering(body: unknown, init: ResponseInit = {}, seen: Request[] = []): typeof fetch {
  return async (input, requestInit) => {
    seen.push(new Request(new URL(String(input), 'http://vigil.test'), requestInit));
    if (body === null) return new Response(null, init);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), init);
  };
}

const failing: typeof fetch = async () => {
  throw new TypeError('Failed to fetch');
};

describe('fetchSignInState', () => {
  it('reads the sign-in state', async () => {
    const state = {
      required: true,
      methods: ['local'],
      user: { name: 'bob', groups: ['dev'], admin: false },
    };
    expect(await fetchSignInState(answering(state))).toEqual({ ok: true, state });
  });

  it('says what went wrong instead of throwing', async () => {
    expect(await fetchSignInState(failing)).toEqual({
      ok: false,
      message: 'Could not reach the gateway (Failed to fetch).',
    });
    expect(await fetchSignInState(answering('', { status: 502 }))).toEqual({
      ok: false,
      message: 'The gateway could not say who is signed in (HTTP 502).',
    });
    expect(
      await fetchSignInState(
        answering({ error: 'the shared database is unavailable; try again shortly' }, { status: 503 }),
      ),
    ).toEqual({ ok: false, message: 'The shared database is unavailable; try again shortly.' });
    expect(await fetchSignInState(answering({ required: 'yes' }))).toMatchObject({ ok: false });
    expect(await fetchSignInState(answering('<html>'))).toMatchObject({ ok: false });
  });
});

describe('logIn', () => {
  it('posts the name and password as JSON', async () => {
    const seen: Request[] = [];
    expect(await logIn({ name: 'bob', password: 'pw' }, answering({ user: {} }, {}, seen))).toEqual({
      ok: true,
    });
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(new URL(request?.url ?? '').pathname).toBe('/api/login');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(await request?.json()).toEqual({ name: 'bob', password: 'pw' });
  });

  it("shows the gateway's reason for a refusal", async () => {
    expect(
      await logIn(
        { name: 'bob', password: 'nope' },
        answering({ error: 'wrong user name or password' }, { status: 401 }),
      ),
    ).toEqual({
      ok: false,
      message: 'Wrong user name or password.',
    });
    // The per-address limit is fastify's rate limiter, with fastify's error shape.
    const limited = {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Rate limit exceeded, retry in 59 seconds',
    };
    expect(await logIn({ name: 'bob', password: 'x' }, answering(limited, { status: 429 }))).toEqual({
      ok: false,
      message: 'Rate limit exceeded, retry in 59 seconds.',
    });
    expect(
      await logIn({ name: 'bob', password: 'x' }, answering('Too Many Requests', { status: 429 })),
    ).toEqual({
      ok: false,
      message: 'Too many sign-in attempts. Wait a while and try again.',
    });
  });

  it('says when the gateway cannot be reached', async () => {
    expect(await logIn({ name: 'bob', password: 'pw' }, failing)).toEqual({
      ok: false,
      message: 'Could not reach the gateway (Failed to fetch).',
    });
  });
});

describe('logOut', () => {
  it('posts without a body and reports success', async () => {
    const seen: Request[] = [];
    expect(await logOut(answering(null, { status: 204 }, seen))).toBe(true);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers.get('content-type')).toBeNull();
    expect(await logOut(failing)).toBe(false);
  });
});
