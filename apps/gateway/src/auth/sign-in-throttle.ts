/**
 * Failed sign-ins per user name within a window. Per-address limits alone let a botnet guess one
 * account slowly from many addresses; this caps guesses per account wherever they come from.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(name: string): number[] {
    const since = this.now() - this.windowMs;
    const recent = (this.failures.get(name) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(name);
    else this.failures.set(name, recent);
    return recent;
  }

  isBlocked(name: string): boolean {
    return this.recent(name).length >= this.maxFailures;
  }

  failed(name: string): void {
    this.failures.set(name, [...this.recent(name), this.now()]);
  }

  succeeded(name: string): void {
    this.failures.delete(name);
  }
}
