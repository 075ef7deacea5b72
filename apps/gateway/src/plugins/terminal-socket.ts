import { WEBSOCKET_PATH } from '@vigil/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrowserConnection, type ConnectionDeps } from '../session/browser-connection.js';

/**
 * Refuses cross-site WebSocket upgrades: a page on another origin must not drive a shell through
 * a browser that can reach this gateway. Non-browser clients send no Origin and are let through.
 */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export async function terminalSocket(
  app: FastifyInstance,
  deps: Omit<ConnectionDeps, 'log' | 'clientId' | 'source'>,
) {
  app.get(
    WEBSOCKET_PATH,
    {
      websocket: true,
      preValidation: async (request, reply) => {
        if (!sameOrigin(request)) {
          request.log.warn({ origin: request.headers.origin }, 'cross-origin WebSocket refused');
          await reply.code(403).send({ error: 'cross-origin WebSocket connections are not allowed' });
        }
      },
    },
    (socket, request) => {
      // BrowserConnection attaches its message listener synchronously, before any await.
      new BrowserConnection(socket, {
        ...deps,
        log: request.log,
        clientId: request.clientId,
        source: request.ip,
      });
    },
  );
}
