import type { FastifyInstance } from 'fastify';
import type { SessionRegistry } from '../session/session-registry.js';

/** The asking browser's live sessions, for reattaching after a reload or from another tab. */
export async function sessionsApi(app: FastifyInstance, { registry }: { registry: SessionRegistry }) {
  app.get('/api/sessions', async (request) => registry.list(request.owner));
}
