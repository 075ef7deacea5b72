import type { FastifyRequest } from 'fastify';

/**
 * True when a browser request comes from a page of this gateway: its Origin names the host it
 * was sent to. Cross-site WebSocket hijacking and CSRF both arrive with a foreign Origin;
 * non-browser clients send none and carry no ambient cookies of a victim.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
