import { parseTargetList, type TargetSummary } from '@vigil/protocol';
import { describeParseFailure } from './parse-failure.js';

export type TargetListResult = { ok: true; targets: TargetSummary[] } | { ok: false; message: string };

const TARGETS_PATH = '/api/targets';

/** Fetches the gateway's allowlist; every way it can fail comes back as words, never as a throw. */
export async function fetchTargetList(fetchImpl: typeof fetch = fetch): Promise<TargetListResult> {
  let response: Response;
  try {
    response = await fetchImpl(TARGETS_PATH, { headers: { accept: 'application/json' } });
  } catch (error) {
    return {
      ok: false,
      message: `Could not reach the gateway to list targets (${describeParseFailure(error)}).`,
    };
  }
  if (!response.ok) {
    const status = `HTTP ${response.status} ${response.statusText}`.trim();
    // A proxy in front of the gateway (or Vite's dev proxy) answers these when the gateway is down.
    if (response.status === 502 || response.status === 504) {
      return { ok: false, message: `Could not reach the gateway to list targets (${status}).` };
    }
    return { ok: false, message: `The gateway could not list targets (${status}).` };
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    return { ok: false, message: 'The gateway answered the target list with something that is not JSON.' };
  }
  return readTargetList(json);
}

/** `parseTargetList` throws on a bad shape; this turns that into a message. */
export function readTargetList(json: unknown): TargetListResult {
  try {
    return { ok: true, targets: parseTargetList(json) };
  } catch (error) {
    return {
      ok: false,
      message: `The gateway's target list could not be read (${describeParseFailure(error)}).`,
    };
  }
}
