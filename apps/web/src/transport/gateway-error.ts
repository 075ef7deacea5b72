/**
 * The reason in a gateway error body. The gateway's own refusals are `{ error: '<reason>' }`;
 * fastify's (its rate limiter, body parsing) are `{ statusCode, error: '<status text>', message }`,
 * whose reason is the `message`.
 */
export async function gatewayError(response: Response): Promise<string | undefined> {
  const body: unknown = await response.json().catch(() => undefined);
  if (!body || typeof body !== 'object') return undefined;
  if ('statusCode' in body && 'message' in body && typeof body.message === 'string') return body.message;
  if ('error' in body && typeof body.error === 'string') return body.error;
  return undefined;
}
