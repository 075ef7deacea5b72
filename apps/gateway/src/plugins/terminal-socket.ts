import { CLOSE_CODES, WEBSOCKET_PATH } from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import { BrowserConnection, type ConnectionDeps } from '../session/browser-connection.js';
import { sameOrigin } from './same-origin.js';

export async function terminalSocket(
  app: FastifyInstance,
  deps: Omit<ConnectionDeps, 'log' | 'owner' | 'user' | 'source'>,
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
        owner: request.owner,
        user: request.gatewayUser,
        source: request.ip,
      });
      // A socket lives no longer than the sign-in it was opened with; its session waits for the
      // browser as after any drop, and the page finds it has to sign in again.
      const unwatch = request.watchSignIn(() => {
        request.log.info('the sign-in behind this socket ended; closing it');
        socket.close(CLOSE_CODES.signInEnded);
      });
      socket.once('close', unwatch);
    },
  );
}
