/** The most recent round-trip times, for the badge's last / p50 / p95. */
export class RttWindow {
  private readonly samples: number[] = [];
  /** Sorted copy, made on the first percentile after a change: one sort serves every percentile. */
  private sorted: number[] | undefined;

  /** @param size how many recent samples the percentiles cover. @default 32 */
  constructor(private readonly size = 32) {}

  add(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > this.size) this.samples.shift();
    this.sorted = undefined;
  }

  get last(): number | undefined {
    return this.samples.at(-1);
  }

  /** Nearest-rank percentile (p in 0..100) over the window; undefined before the first sample. */
  percentile(p: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    this.sorted ??= [...this.samples].sort((a, b) => a - b);
    const sorted = this.sorted;
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1];
  }

  get count(): number {
    return this.samples.length;
  }
}
