/** A PTY shell the bench drives the same way through the gateway or directly over ssh2. */
export interface TerminalStream {
  /** Where output goes from now on; replaces the previous listener. */
  onOutput(listener: (chunk: Buffer) => void): void;
  type(data: string | Buffer): void;
  /** Output bytes received so far. */
  readonly received: number;
  /** Hangs up and waits for the connection to close. */
  close(): Promise<void>;
}

/**
 * Where a stream's output goes. Output that arrives before the first listener (the prompt, which
 * can come in the same packet as the session's `opened`) is held for it, up to 64 KiB; after
 * that, output nobody listens for is dropped, as a flood the bench only counts should be.
 */
export class OutputListener {
  private listener: ((chunk: Buffer) => void) | undefined;
  private early: Buffer[] = [];
  private earlyBytes = 0;

  deliver(chunk: Buffer): void {
    if (this.listener) this.listener(chunk);
    else if (this.earlyBytes + chunk.length <= 64 * 1024) {
      this.early.push(chunk);
      this.earlyBytes += chunk.length;
    }
  }

  set(listener: (chunk: Buffer) => void): void {
    this.listener = listener;
    const early = this.early;
    this.early = [];
    for (const chunk of early) this.listener(chunk);
  }
}

/** Terminal size of every bench session: the browser's default before a fit. */
export const TERMINAL_SIZE = { cols: 80, rows: 24 } as const;

/** Waits for `marker` in the output, across chunk boundaries; rejects after `timeoutMs`. */
export function waitForOutput(stream: TerminalStream, marker: string, timeoutMs: number): Promise<void> {
  const wanted = Buffer.from(marker);
  let tail = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.onOutput(() => {});
      reject(
        new Error(`no "${marker}" within ${timeoutMs} ms; last output: ${JSON.stringify(tail.toString())}`),
      );
    }, timeoutMs);
    stream.onOutput((chunk) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.includes(wanted)) {
        clearTimeout(timer);
        stream.onOutput(() => {});
        resolve();
      } else if (tail.length > 4096) {
        // Enough to find a marker split across chunks, and to show what came instead.
        tail = tail.subarray(tail.length - 512);
      }
    });
  });
}

/**
 * Text that prints `marker` without containing it, so the PTY's echo of the command line cannot
 * be mistaken for the program's output: `printf %s VIGIL-''READY` prints `VIGIL-READY`.
 */
export function printMarker(marker: string): string {
  const half = Math.ceil(marker.length / 2);
  return `printf %s '${marker.slice(0, half)}''${marker.slice(half)}'`;
}
