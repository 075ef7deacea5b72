/**
 * Where a recording lives in the bucket. While the session runs: parts, each named by the byte
 * offset in the recording where it starts, so that a retried upload overwrites itself, listing
 * order is playing order, and a missing part shows as a gap. Once it has ended: one object.
 *
 *   <prefix><sessionId>.cast                 the compacted recording (asciicast v2)
 *   <prefix>parts/<sessionId>/<offset>       a part: bytes [offset, offset + size) of it
 */
const OFFSET_DIGITS = 16;

export class RecordingKeys {
  constructor(private readonly prefix: string) {}

  compacted(sessionId: string): string {
    return `${this.prefix}${sessionId}.cast`;
  }

  /** The folder of a session's parts, for listing them. */
  parts(sessionId: string): string {
    return `${this.prefix}parts/${sessionId}/`;
  }

  part(sessionId: string, offset: number): string {
    return `${this.parts(sessionId)}${String(offset).padStart(OFFSET_DIGITS, '0')}`;
  }
}

export interface StoredPart {
  key: string;
  size: number;
}

export interface PlayablePart extends StoredPart {
  offset: number;
}

/**
 * The parts that play in order from the start: sorted by offset, each beginning where the one
 * before ended, stopping at the first gap (a part still on its way, or lost with its owner).
 * Keys that are not parts of `folder` are ignored.
 */
export function playableParts(folder: string, listed: readonly StoredPart[]): PlayablePart[] {
  const parts = listed
    .map((part) => ({ ...part, offset: offsetOf(folder, part.key) }))
    .filter((part): part is PlayablePart => part.offset !== undefined)
    .sort((a, b) => a.offset - b.offset);
  const playable: PlayablePart[] = [];
  let next = 0;
  for (const part of parts) {
    if (part.offset !== next) break;
    playable.push(part);
    next += part.size;
  }
  return playable;
}

function offsetOf(folder: string, key: string): number | undefined {
  if (!key.startsWith(folder)) return undefined;
  const digits = key.slice(folder.length);
  return /^\d{16}$/.test(digits) ? Number(digits) : undefined;
}
