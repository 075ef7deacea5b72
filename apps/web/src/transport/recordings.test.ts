import { describe, expect, it } from 'vitest';
import {
  asciicastTitle,
  fetchRecording,
  hasRecording,
  NO_RECORDING_TEXT,
  recordingPath,
} from './recordings.js';

const cast = '{"version":2,"width":80,"height":24}\n[0.5,"o","bastion-42\\r\\n"]\n';

function answering(
  body: string | null,
  init: ResponseInit = {},
  seen: [string, string][] = [],
): typeof fetch {
  return async (input, requestInit) => {
    seen.push([requestInit?.method ?? 'GET', String(input)]);
    return new Response(body, init);
  };
}

const failing: typeof fetch = async () => {
  throw new TypeError('Failed to fetch');
};

describe('fetchRecording', () => {
  it('returns the asciicast text of the session', async () => {
    const seen: [string, string][] = [];
    expect(await fetchRecording('Zq3xP9aLmN0bC1dE2fG3hI', answering(cast, {}, seen))).toEqual({
      ok: true,
      asciicast: cast,
    });
    expect(seen).toEqual([['GET', '/api/recordings/Zq3xP9aLmN0bC1dE2fG3hI']]);
  });

  it('says there is no recording for you on a 404', async () => {
    expect(await fetchRecording('x', answering('{"error":"no such recording"}', { status: 404 }))).toEqual({
      ok: false,
      message: NO_RECORDING_TEXT,
    });
  });

  it('says what else went wrong', async () => {
    expect(await fetchRecording('x', answering('', { status: 500 }))).toEqual({
      ok: false,
      message: 'The gateway could not send the recording (HTTP 500).',
    });
    expect(await fetchRecording('x', failing)).toEqual({
      ok: false,
      message: 'Could not reach the gateway (Failed to fetch).',
    });
  });
});

describe('hasRecording', () => {
  it('asks with HEAD and believes the status', async () => {
    const seen: [string, string][] = [];
    expect(await hasRecording('abc', answering(null, { status: 200 }, seen))).toBe(true);
    expect(seen).toEqual([['HEAD', '/api/recordings/abc']]);
    expect(await hasRecording('abc', answering(null, { status: 404 }))).toBe(false);
    expect(await hasRecording('abc', failing)).toBe(false);
  });
});

describe('recordingPath', () => {
  it('keeps a strange id inside its path segment', () => {
    expect(recordingPath('../audit')).toBe('/api/recordings/..%2Faudit');
  });
});

describe('asciicastTitle', () => {
  it("reads the header's title", () => {
    expect(asciicastTitle('{"version":2,"title":"tester@dev-box"}\n[0.1,"o","x"]\n')).toBe('tester@dev-box');
    expect(asciicastTitle('{"version":2,"title":"only a header"}')).toBe('only a header');
  });

  it('has none for a header without one, or no header', () => {
    expect(asciicastTitle(cast)).toBeUndefined();
    expect(asciicastTitle('{"version":2,"title":""}\n')).toBeUndefined();
    expect(asciicastTitle('not json\n')).toBeUndefined();
    expect(asciicastTitle('')).toBeUndefined();
  });
});
