import { clampTerminalSize, sameSize, type TerminalSize } from './terminal-size.js';

/**
 * Decides which terminal sizes become `resize` messages: only real changes, and only once the
 * shell runs (the gateway refuses `resize` before `opened`). A size seen while signing in is kept
 * and sent when the session attaches, so the PTY ends up matching the screen.
 */
export class ResizeReporter {
  /** The size the gateway's PTY has, as far as we told it. */
  private reported: TerminalSize | undefined;
  private latest: TerminalSize | undefined;
  private attached = false;

  constructor(private readonly send: (size: TerminalSize) => void) {}

  /** The size that went out in `open`; the PTY starts with it. */
  opening(size: TerminalSize): void {
    this.reported = clampTerminalSize(size);
    this.latest = this.reported;
    this.attached = false;
  }

  /** The shell runs: a size that changed since `open` goes out now. */
  attach(): void {
    this.attached = true;
    this.flush();
  }

  /**
   * Attached again after a drop or from another page: the PTY may have any size meanwhile
   * (another tab had it, or the window changed), so the current size goes out whatever it is.
   */
  reattach(): void {
    this.reported = undefined;
    this.attach();
  }

  detach(): void {
    this.attached = false;
  }

  /** A size the terminal now has, after fitting. */
  observe(size: TerminalSize): void {
    this.latest = clampTerminalSize(size);
    if (this.attached) this.flush();
  }

  private flush() {
    const latest = this.latest;
    if (latest === undefined || (this.reported !== undefined && sameSize(latest, this.reported))) return;
    this.reported = latest;
    this.send(latest);
  }
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Calls `run` once, `delayMs` after the last of a burst of calls (a window drag fires dozens). */
export function debounce(run: () => void, delayMs: number, timers: Timers): () => void {
  let pending: unknown;
  let scheduled = false;
  return () => {
    if (scheduled) timers.clearTimeout(pending);
    scheduled = true;
    pending = timers.setTimeout(() => {
      scheduled = false;
      run();
    }, delayMs);
  };
}
