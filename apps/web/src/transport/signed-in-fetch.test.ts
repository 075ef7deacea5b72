import { describe, expect, it, vi } from 'vitest';
import { signedInFetch } from './signed-in-fetch.js';

const answering =
  (status: number): typeof fetch =>
  async () =>
    new Response(null, { status });

/** Whether `promise` settles before the microtasks and a macrotask queued now have run. */
async function settles(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  const result = await Promise.race([
    promise.then(() => 'settled'),
    new Promise((resolve) => setTimeout(() => resolve(pending), 0)),
  ]);
  return result !== pending;
}

describe('signedInFetch', () => {
  it('passes every answer but a 401 through', async () => {
    const signInRequired = vi.fn();
    for (const status of [200, 204, 403, 404, 500]) {
      const response = await signedInFetch(signInRequired, answering(status))('/api/targets');
      expect(response.status).toBe(status);
    }
    expect(signInRequired).not.toHaveBeenCalled();
  });

  it('calls for the sign-in screen on a 401 and never answers the caller', async () => {
    const signInRequired = vi.fn();
    const answer = signedInFetch(signInRequired, answering(401))('/api/targets');
    expect(await settles(answer)).toBe(false);
    expect(signInRequired).toHaveBeenCalledOnce();
  });

  it('lets a failed request fail as before', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(signedInFetch(vi.fn(), failing)('/api/targets')).rejects.toThrow('Failed to fetch');
  });
});
