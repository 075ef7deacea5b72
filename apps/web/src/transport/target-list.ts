import { parseTargetList, type TargetSummary } from '@vigil/protocol';

export type TargetListResult = { ok: true; targets: TargetSummary[] } | { ok: false; message: string };

const TARGETS_PATH = '/api/targets';

/** Fetches the gateway's allowlist; every way it can fail comes back as words, never as a throw. */
export async function fetchTargetList(fetchImpl: typeof fetch = fetch): Promise<TargetListResult> {
  let response: Response;
  try {
    response = await fetchImpl(TARGETS_PATH, { headers: { accept: 'application/json' } });
  } catch (error) {
    return { ok: false, message: `Could not reach the gateway to list targets (${reasonOf(error)}).` };
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
    return { ok: false, message: `The gateway's target list could not be read (${reasonOf(error)}).` };
  }
}

function reasonOf(error: unknown): string {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    // A zod error: its first issue, named by path, reads better than the JSON dump in `message`.
    const issue: unknown = error.issues[0];
    if (
      issue &&
      typeof issue === 'object' &&
      'message' in issue &&
      'path' in issue &&
      Array.isArray(issue.path)
    ) {
      const path = issue.path.join('.');
      return path ? `${path}: ${String(issue.message)}` : String(issue.message);
    }
  }
  return error instanceof Error ? error.message : String(error);
}
