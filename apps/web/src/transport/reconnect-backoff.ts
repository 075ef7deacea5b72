/** Backoff between reconnect attempts, in milliseconds. */
export interface BackoffPolicy {
  /** @default 250 */
  baseMs: number;
  /** @default 2 */
  factor: number;
  /** @default 10000 */
  capMs: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 250, factor: 2, capMs: 10_000 };

/**
 * The wait before reconnect attempt `attempt` (1 for the first): "full jitter", a uniform draw
 * between 0 and min(cap, base × factor^(attempt−1)). Spreading every page of a restarted gateway
 * over the whole window keeps them from all knocking at once.
 * @param random a draw in [0, 1), Math.random in the page
 */
export function reconnectDelayMs(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = RECONNECT_BACKOFF,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
