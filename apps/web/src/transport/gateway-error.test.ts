import { describe, expect, it } from 'vitest';
import { gatewayError } from './gateway-error.js';

const answer = (body: string) => new Response(body, { status: 429 });

describe('gatewayError', () => {
  it("reads the gateway's own reason", async () => {
    expect(await gatewayError(answer('{"error":"wrong user name or password"}'))).toBe(
      'wrong user name or password',
    );
  });

  it("reads the message of fastify's errors, not their status text", async () => {
    const limited =
      '{"statusCode":429,"error":"Too Many Requests","message":"Rate limit exceeded, retry in 59 seconds"}';
    expect(await gatewayError(answer(limited))).toBe('Rate limit exceeded, retry in 59 seconds');
  });

  it('has none for a body without one', async () => {
    expect(await gatewayError(answer(''))).toBeUndefined();
    expect(await gatewayError(answer('Too Many Requests'))).toBeUndefined();
    expect(await gatewayError(answer('{"error":42}'))).toBeUndefined();
  });
});
