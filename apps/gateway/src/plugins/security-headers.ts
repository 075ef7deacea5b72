import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/**
 * A strict Content-Security-Policy and the usual headers. Scripts only from this origin. Two
 * concessions: inline styles, because xterm.js 6 styles its grid with injected <style> elements,
 * and 'wasm-unsafe-eval' (WebAssembly compilation only, not JavaScript eval), because the
 * asciinema player runs its terminal emulator as WebAssembly.
 * 'self' covers the same-origin WebSocket (CSP Level 3).
 */
export const securityHeaders = fastifyPlugin(async (app: FastifyInstance) => {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Vigil is often served on plain HTTP on loopback; HSTS belongs to the TLS proxy in front.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
});
