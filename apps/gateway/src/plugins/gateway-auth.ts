import fastifyRateLimit from '@fastify/rate-limit';
import { loginRequestSchema, type SignInState, WEBSOCKET_PATH } from '@vigil/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { AuditLog } from '../audit/audit-log.js';
import { type GatewayUser, isGranted, ownerOf } from '../auth/gateway-user.js';
import { OidcSignIn } from '../auth/oidc-sign-in.js';
import { hashPassword, verifyPassword } from '../auth/password-hash.js';
import type { SignInStore } from '../auth/sign-in-sessions.js';
import type { SignInThrottle } from '../auth/sign-in-throttle.js';
import { CidrBlocks } from '../config/cidr-blocks.js';
import type { AuthConfig } from '../config/config-schema.js';
import { DatabaseUnavailableError } from '../storage/database-unavailable.js';
import { sameOrigin } from './same-origin.js';

const COOKIE = 'vigil_session';
/** Binds an OIDC sign-in to the browser that started it. Lax: it must survive the provider's redirect back. */
const OIDC_STATE_COOKIE = 'vigil_oidc';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is signed in to the gateway, if sign-in is configured and they are. */
    gatewayUser: GatewayUser | undefined;
    /** Who owns the sessions this request may see and open (see ownerOf). */
    owner: string;
    /**
     * Calls `ended` when the sign-in this request came with ends (signed out, or expired), so a
     * WebSocket does not outlive it; never, without a sign-in session (no auth, trusted header).
     * @returns the way to stop watching
     */
    watchSignIn(ended: () => void): () => void;
  }
}

const NOT_WATCHED = () => () => {};

/** Paths anyone may reach: the page itself, its sign-in calls, and probes. */
function isPublic(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  if (path === WEBSOCKET_PATH) return false;
  if (path === '/api/me' || path === '/api/login' || path === '/api/logout') return true;
  return !path.startsWith('/api/');
}

/**
 * Sign-in to the gateway: local users (scrypt hashes, login form) and/or a trusted header set by
 * an authenticating proxy, honoured only from the configured proxy addresses. Without `auth` in
 * the config nothing is required (and the config refuses to listen beyond loopback).
 */
export const gatewayAuth = fastifyPlugin(
  async (
    app: FastifyInstance,
    {
      auth,
      audit,
      throttle,
      sessions,
    }: { auth: AuthConfig | undefined; audit: AuditLog; throttle: SignInThrottle; sessions: SignInStore },
  ) => {
    app.decorateRequest('gatewayUser', undefined);
    app.decorateRequest('owner', '');
    app.decorateRequest('watchSignIn', NOT_WATCHED);
    const proxies = auth?.trustedHeader && new CidrBlocks(auth.trustedHeader.proxies);
    // Unknown names are checked against a real hash too, so timing does not reveal which names exist.
    const decoy = await hashPassword('decoy password nobody has');
    const userFrom = (name: string, groups: readonly string[]): GatewayUser => ({
      name,
      groups,
      admin: auth ? isGranted({ name, groups }, auth.admins) : false,
    });

    const identify = async (request: FastifyRequest): Promise<GatewayUser | undefined> => {
      const trusted = auth?.trustedHeader;
      if (trusted && proxies?.contains(request.socket.remoteAddress ?? '')) {
        const name = request.headers[trusted.userHeader];
        if (typeof name === 'string' && name !== '') {
          const groups = request.headers[trusted.groupsHeader];
          return userFrom(
            name,
            typeof groups === 'string'
              ? groups
                  .split(',')
                  .map((g) => g.trim())
                  .filter(Boolean)
              : [],
          );
        }
      }
      const user = await sessions.find(request.cookies[COOKIE]);
      const token = request.cookies[COOKIE];
      if (user && token) request.watchSignIn = (ended) => sessions.watch(token, ended);
      return user;
    };

    const startSession = async (request: FastifyRequest, reply: FastifyReply, user: GatewayUser) => {
      reply.setCookie(COOKIE, await sessions.create(user), {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge: auth?.sessionLifetime ?? 0,
      });
    };

    /**
     * A sign-in the shared database cannot take fails as a whole, audited with the reason (the
     * answer is a 503 in words, plugins/database-outage.ts). Without the throttle's count nobody
     * is signed in, so an outage opens no window for guessing.
     */
    const unlessUnavailable = async <T>(
      user: string,
      method: 'local' | 'oidc',
      source: string,
      signIn: () => Promise<T>,
    ): Promise<T> => {
      try {
        return await signIn();
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) {
          audit.record({ kind: 'sign-in', user, source, method, outcome: 'failure', reason: error.message });
        }
        throw error;
      }
    };

    await app.register(fastifyRateLimit, {
      global: false,
      // The same { error } shape as every other refusal, in words.
      errorResponseBuilder: (_request, context) => ({
        statusCode: context.statusCode,
        error: `too many sign-in attempts from this address; try again in ${Math.ceil(context.ttl / 1000)} s`,
      }),
    });

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      // CSRF: a state change must come from one of our own pages (SameSite=Strict cookies too).
      if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && !sameOrigin(request)) {
        return reply.code(403).send({ error: 'cross-site request refused' });
      }
      request.gatewayUser = auth ? await identify(request) : undefined;
      request.owner = ownerOf(request.gatewayUser, request.clientId);
      if (auth && !request.gatewayUser && !isPublic(request.url)) {
        return reply.code(401).send({ error: 'sign in to the gateway first' });
      }
    });

    app.get(
      '/api/me',
      async (request): Promise<SignInState> => ({
        required: auth !== undefined,
        methods: [
          ...(auth?.local ? ['local' as const] : []),
          ...(auth?.oidc ? ['oidc' as const] : []),
          ...(auth?.trustedHeader ? ['trusted-header' as const] : []),
        ],
        ...(request.gatewayUser
          ? { user: { ...request.gatewayUser, groups: [...request.gatewayUser.groups] } }
          : {}),
      }),
    );

    app.post(
      '/api/login',
      { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
      async (request, reply) => {
        const body = loginRequestSchema.safeParse(request.body);
        const users = auth?.local?.users;
        if (!body.success || users === undefined)
          return reply.code(400).send({ error: 'expected { name, password }' });
        const { name, password } = body.data;
        const source = request.ip;
        return unlessUnavailable(name, 'local', source, async () => {
          if (await throttle.isBlocked(name)) {
            audit.record({ kind: 'sign-in', user: name, source, method: 'local', outcome: 'throttled' });
            return reply
              .code(429)
              .send({ error: 'too many failed sign-ins for this user; try again in 15 minutes' });
          }
          const account = users.find((u) => u.name === name);
          const valid = await verifyPassword(password, account?.passwordHash ?? decoy);
          if (!account || !valid) {
            await throttle.failed(name);
            audit.record({ kind: 'sign-in', user: name, source, method: 'local', outcome: 'failure' });
            return reply.code(401).send({ error: 'wrong user name or password' });
          }
          await throttle.succeeded(name);
          const user = userFrom(account.name, account.groups);
          await startSession(request, reply, user);
          audit.record({ kind: 'sign-in', user: user.name, source, method: 'local', outcome: 'success' });
          return { user };
        });
      },
    );

    app.post('/api/logout', async (request, reply) => {
      await sessions.end(request.cookies[COOKIE]);
      reply.clearCookie(COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    if (auth?.oidc) {
      const signIn = new OidcSignIn(auth.oidc);
      const redirectUri = auth.oidc.redirectUri;
      app.get(
        '/auth/oidc/login',
        { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
        async (request, reply) => {
          try {
            const { url, state } = await signIn.begin();
            reply.setCookie(OIDC_STATE_COOKIE, state, {
              path: '/auth/oidc',
              httpOnly: true,
              sameSite: 'lax',
              secure: request.protocol === 'https',
              maxAge: 600,
            });
            return reply.redirect(url.href);
          } catch (error) {
            request.log.error({ err: error }, 'OIDC provider unreachable');
            return reply
              .code(502)
              .type('text/plain')
              .send('The identity provider cannot be reached right now. Try again shortly.\n');
          }
        },
      );
      app.get('/auth/oidc/callback', async (request, reply) => {
        reply.clearCookie(OIDC_STATE_COOKIE, { path: '/auth/oidc' });
        let user: GatewayUser;
        try {
          const { name, groups } = await signIn.complete(
            new URL(request.url, redirectUri),
            request.cookies[OIDC_STATE_COOKIE],
          );
          user = userFrom(name, groups);
        } catch (error) {
          const reason = (error as Error).message;
          audit.record({
            kind: 'sign-in',
            user: '?',
            source: request.ip,
            method: 'oidc',
            outcome: 'failure',
            reason,
          });
          return reply.code(400).type('text/plain').send(`Sign-in failed: ${reason}\n`);
        }
        await unlessUnavailable(user.name, 'oidc', request.ip, () => startSession(request, reply, user));
        audit.record({
          kind: 'sign-in',
          user: user.name,
          source: request.ip,
          method: 'oidc',
          outcome: 'success',
        });
        return reply.redirect('/');
      });
    }
  },
);
