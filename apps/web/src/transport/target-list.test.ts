import { describe, expect, it } from 'vitest';
import { fetchTargetList, readTargetList } from './target-list.js';

const demo = { name: 'demo', label: 'Demo box', authMethods: ['password'] };

function answering(body: string, init: ResponseInit = {}): typeof fetch {
  return async () => new Response(body, init);
}

describe('fetchTargetList', () => {
  it('returns the parsed targets', async () => {
    expect(await fetchTargetList(answering(JSON.stringify([demo])))).toEqual({ ok: true, targets: [demo] });
  });

  it('says the gateway is unreachable when the request fails', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchTargetList(failing)).toEqual({
      ok: false,
      message: 'Could not reach the gateway to list targets (Failed to fetch).',
    });
  });

  it('names the HTTP status of a failed answer', async () => {
    const result = await fetchTargetList(
      answering('nope', { status: 500, statusText: 'Internal Server Error' }),
    );
    expect(result).toEqual({
      ok: false,
      message: 'The gateway could not list targets (HTTP 500 Internal Server Error).',
    });
  });

  it('reads a proxy error as an unreachable gateway', async () => {
    const result = await fetchTargetList(answering('', { status: 502, statusText: 'Bad Gateway' }));
    expect(result).toEqual({
      ok: false,
      message: 'Could not reach the gateway to list targets (HTTP 502 Bad Gateway).',
    });
  });

  it('says so when the answer is not JSON', async () => {
    const result = await fetchTargetList(answering('<html>'));
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/not JSON/) });
  });
});

describe('readTargetList', () => {
  it('takes a target whose key the gateway holds, with nothing for the person to choose', () => {
    const held = { name: 'db', label: 'db', user: 'deploy', authMethods: [], gatewayKey: true };
    expect(readTargetList([held])).toEqual({ ok: true, targets: [held] });
  });

  it('names the field of a malformed entry', () => {
    const result = readTargetList([{ ...demo, authMethods: [] }]);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('0.authMethods') });
  });
});
