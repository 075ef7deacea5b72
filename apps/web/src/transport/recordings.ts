export type RecordingResult = { ok: true; asciicast: string } | { ok: false; message: string };

/** The gateway answers 404 alike for "no such recording" and "not yours", so ids cannot be probed. */
export const NO_RECORDING_TEXT =
  'There is no recording of this session for you: recording may be off on this gateway, or the session is not yours.';

export function recordingPath(sessionId: string): string {
  return `/api/recordings/${encodeURIComponent(sessionId)}`;
}

/** A session's asciicast v2 text, for administrators and the session's owner. */
export async function fetchRecording(
  sessionId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<RecordingResult> {
  try {
    const response = await fetchImpl(recordingPath(sessionId), {
      headers: { accept: 'application/x-asciicast' },
    });
    if (response.status === 404) return { ok: false, message: NO_RECORDING_TEXT };
    if (!response.ok)
      return { ok: false, message: `The gateway could not send the recording (HTTP ${response.status}).` };
    return { ok: true, asciicast: await response.text() };
  } catch (error) {
    return {
      ok: false,
      message: `Could not reach the gateway (${error instanceof Error ? error.message : String(error)}).`,
    };
  }
}

/** Whether the recording can be played, asked with HEAD so nothing is downloaded yet. */
export async function hasRecording(sessionId: string, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  try {
    return (await fetchImpl(recordingPath(sessionId), { method: 'HEAD' })).ok;
  } catch {
    return false;
  }
}

/** The `title` of an asciicast v2 header (its first line), which the gateway sets to `user@target`. */
export function asciicastTitle(asciicast: string): string | undefined {
  const end = asciicast.indexOf('\n');
  const firstLine = end === -1 ? asciicast : asciicast.slice(0, end);
  try {
    const header: unknown = JSON.parse(firstLine);
    if (header && typeof header === 'object' && 'title' in header && typeof header.title === 'string') {
      return header.title === '' ? undefined : header.title;
    }
  } catch {
    // Not a header this page can read; the player will say what it makes of the file.
  }
  return undefined;
}
