import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

const COOKIE = 'vigil_client';
const VALID = /^[A-Za-z0-9_-]{22}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who owns the sessions this request may see: an unguessable per-browser id. It stands in for
     * the gateway user until gateway sign-in exists; then sessions belong to the signed-in user.
     */
    clientId: string;
  }
}

function newClientId(): string {
  return randomBytes(16).toString('base64url');
}

/** Gives each browser a stable, HttpOnly identity cookie, so only it can list and reattach its sessions. */
export const clientIdentity = fastifyPlugin(async (app: FastifyInstance) => {
  await app.register(fastifyCookie);
  app.decorateRequest('clientId', '');
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const existing = request.cookies[COOKIE];
    if (existing && VALID.test(existing)) {
      request.clientId = existing;
      return;
    }
    request.clientId = newClientId();
    // An upgrade request without the cookie gets a one-off identity: nobody else can attach to its sessions.
    if (request.headers.upgrade === undefined) {
      reply.setCookie(COOKIE, request.clientId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge: 365 * 86_400,
      });
    }
  });
});
