import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

// A real OpenID Connect provider (oidc-provider) on loopback, with its development login and
// consent pages; the test walks through them as a browser would.

let gateway: GatewayUnderTest;
let idp: Server;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  // Both ends must know each other's URL up front: reserve the two ports first.
  const [idpPort, gatewayPort] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${idpPort}`;
  const redirectUri = `http://127.0.0.1:${gatewayPort}/auth/oidc/callback`;
  gateway = await startGateway((sshd) => ({
    listen: { port: gatewayPort },
    auth: {
      oidc: {
        issuer,
        clientId: 'vigil',
        clientSecret: 'vigil-secret',
        redirectUri,
        scopes: ['openid', 'profile', 'groups'],
      },
      admins: { groups: ['ops'] },
    },
    targets: [pinnedTarget(sshd, { allow: { groups: ['ops'] } })],
  }));
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'vigil', client_secret: 'vigil-secret', redirect_uris: [redirectUri] }],
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        preferred_username: id,
        groups: id === 'alice' ? ['ops'] : ['guests'],
      }),
    }),
    claims: { openid: ['sub'], profile: ['preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'groups'],
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['a test key, not a secret'] },
  });
  idp = createServer(provider.callback());
  await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
});
afterAll(async () => {
  await gateway?.stop();
  await new Promise((resolve) => idp?.close(resolve));
});

/** Follows redirects and fills the provider's forms, keeping cookies, until back on the gateway's page. */
async function signInAs(login: string): Promise<{ cookies: Map<string, string>; final: Response }> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, value = ''] = pair!.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') cookies.delete(name!);
      else cookies.set(name!, value);
    }
    return response;
  };
  let response = await send(`${gateway.baseUrl}/auth/oidc/login`);
  for (let step = 0; step < 20; step++) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, response.url);
      if (next.href === `${gateway.baseUrl}/`) return { cookies, final: response };
      response = await send(next.href);
      continue;
    }
    const html = await response.text();
    const prompt = html.match(/name="prompt" value="(\w+)"/)?.[1];
    if (response.status !== 200 || !prompt)
      return { cookies, final: new Response(html, { status: response.status }) };
    const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login, password: 'any' } : {}) });
    response = await send(response.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }
  throw new Error('the sign-in did not finish within 20 steps');
}

describe('OpenID Connect sign-in against a real provider', () => {
  it('signs a person in with their groups, and their grants follow', async () => {
    const { cookies } = await signInAs('alice');
    expect(cookies.has('vigil_session')).toBe(true);
    const cookie = `vigil_session=${cookies.get('vigil_session')}`;
    const me = await (await fetch(`${gateway.baseUrl}/api/me`, { headers: { cookie } })).json();
    expect(me).toEqual({
      required: true,
      methods: ['oidc'],
      user: { name: 'alice', groups: ['ops'], admin: true },
    });
    const targets = (await (
      await fetch(`${gateway.baseUrl}/api/targets`, { headers: { cookie } })
    ).json()) as { name: string }[];
    expect(targets.map((t) => t.name)).toEqual(['fixture']);
    expect((await gateway.audit.query({ kind: 'sign-in' })).at(-1)?.event).toMatchObject({
      user: 'alice',
      method: 'oidc',
      outcome: 'success',
    });
  });

  it('gives a user without grants a session but no targets', async () => {
    const { cookies } = await signInAs('mallory');
    const cookie = `vigil_session=${cookies.get('vigil_session')}`;
    expect(await (await fetch(`${gateway.baseUrl}/api/targets`, { headers: { cookie } })).json()).toEqual([]);
  });

  it('refuses a callback that this browser did not start (login CSRF)', async () => {
    const response = await fetch(`${gateway.baseUrl}/auth/oidc/callback?code=stolen&state=forged`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Sign-in failed: this sign-in was not started here');
  });
});
