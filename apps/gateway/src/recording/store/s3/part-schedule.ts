/**
 * When a live recording's next part goes to S3: PART_INTERVAL_MS after the last one, or at once
 * when PART_MAX_BYTES are waiting, whichever comes first; after a failed upload, backing off.
 * The interval is what an owner's crash can lose (plus the upload in flight), so it is short;
 * the byte limit keeps a flood's parts a size one request carries well.
 */
export const PART_INTERVAL_MS = 2_000;
export const PART_MAX_BYTES = 8 * 1024 * 1024;
/** The first retry after a failure; each further failure doubles it, up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 16_000;

export class PartSchedule {
  private lastPartAt: number;
  private failures = 0;
  private retryAt = 0;

  constructor(now: number) {
    this.lastPartAt = now;
  }

  /** Milliseconds until the next part is due with `pendingBytes` waiting; undefined: none is. */
  nextPartIn(now: number, pendingBytes: number): number | undefined {
    if (pendingBytes <= 0) return undefined;
    if (this.failures > 0) return Math.max(0, this.retryAt - now);
    if (pendingBytes >= PART_MAX_BYTES) return 0;
    return Math.max(0, this.lastPartAt + PART_INTERVAL_MS - now);
  }

  /** A part was stored. */
  uploaded(now: number): void {
    this.failures = 0;
    this.lastPartAt = now;
  }

  /** A part could not be stored; it stays spooled and is tried again later. */
  failed(now: number): void {
    this.failures++;
    this.retryAt = now + retryDelay(this.failures);
  }
}

/** The wait after the `failures`-th failure in a row: 1 s, 2 s, 4 s … up to RETRY_MAX_MS. */
export function retryDelay(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
}
