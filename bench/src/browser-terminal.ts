import type { Page } from '@playwright/test';
import type { SshdFixture } from '@vigil/test-sshd';

/** The part of xterm.js's Terminal the bench reads; the page exposes it as `window.vigil.term`. */
interface PageTerminal {
  rows: number;
  buffer: {
    active: {
      length: number;
      getLine(n: number): { translateToString(trimRight: boolean): string } | undefined;
    };
  };
  onWriteParsed(listener: () => void): unknown;
  write(data: string | Uint8Array, callback?: () => void): void;
  reset(): void;
}
type BenchWindow = {
  vigil: { term: PageTerminal; renderer: 'webgl' | 'dom' };
  vigilBenchParsed?: number;
  vigilBenchFlood?: FloodTimes;
};

/** Page-clock times (performance.now() in the page) of one Ctrl-C during a flood. */
export interface FloodTimes {
  /** The Ctrl-C keydown, as the page saw it. */
  keyAt: number;
  /** When xterm.js finished parsing the last write that held flood output (`y\r\n`). */
  lastFloodParsedAt: number;
}

export interface ScreenTail {
  /** The last non-blank line of the buffer. */
  lastLine: string;
  lines: string[];
  /** Write batches xterm.js has parsed since `countParses`: progress even when the text repeats (`yes`). */
  parses: number;
}

const SIGN_IN_TIMEOUT_MS = 30_000;

/** Signs in as the fixture's user with a password, the way the e2e tests do, and focuses the terminal. */
export async function signIn(page: Page, url: string, target: string, sshd: SshdFixture): Promise<void> {
  const step = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      // Playwright's message carries a coloured call log; its first line says what failed.
      const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new Error(`signing in through the web app failed at "${what}": ${first}`);
    }
  };
  await step('open the page', () => page.goto(url));
  await step('pick the target', () =>
    page.locator(`[data-target="${target}"]`).click({ timeout: SIGN_IN_TIMEOUT_MS }),
  );
  await step('fill #username', () =>
    page.locator('#username').fill(sshd.user, { timeout: SIGN_IN_TIMEOUT_MS }),
  );
  await step('choose password', () => page.locator('#auth-method').selectOption('password'));
  await step('fill #password', () => page.locator('#password').fill(sshd.password));
  await step('connect', () => page.locator('#connect').click());
  await step('see "connected"', () =>
    page.locator('#status').filter({ hasText: 'connected' }).waitFor({ timeout: SIGN_IN_TIMEOUT_MS }),
  );
  await page.locator('#terminal').click();
  await page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    w.vigilBenchParsed = 0;
    w.vigil.term.onWriteParsed(() => {
      w.vigilBenchParsed = (w.vigilBenchParsed ?? 0) + 1;
    });
  });
}

/** The last screenful of the buffer, read from xterm.js rather than from pixels. */
export function screenTail(page: Page): Promise<ScreenTail> {
  return page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    const { term } = w.vigil;
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let i = Math.max(0, buffer.length - term.rows - 2); i < buffer.length; i++) {
      lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    }
    const lastLine = [...lines].reverse().find((line) => line.trim() !== '') ?? '';
    return { lastLine: lastLine.trim(), lines, parses: w.vigilBenchParsed ?? 0 };
  });
}

/**
 * Polls the screen every 25 ms until `done` holds; throws if nothing new is parsed for
 * `stallMs` (the page stopped receiving, e.g. a gateway waiting for acknowledgements that never come).
 */
export async function untilScreen(
  page: Page,
  what: string,
  done: (tail: ScreenTail) => boolean,
  stallMs: number,
): Promise<{ at: number; tail: ScreenTail }> {
  let lastParses = -1;
  let lastChange = performance.now();
  for (;;) {
    const tail = await screenTail(page);
    const at = performance.now();
    if (done(tail)) return { at, tail };
    if (tail.parses !== lastParses) {
      lastParses = tail.parses;
      lastChange = at;
    } else if (at - lastChange > stallMs) {
      throw new Error(
        `stalled waiting for ${what}: nothing new for ${stallMs / 1000} s; screen ends with ${JSON.stringify(tail.lastLine)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** xterm.js alone: time to parse `text` written straight into the page's terminal (no network). */
export function localWriteMs(page: Page, lines: number): Promise<number> {
  return page.evaluate((count) => {
    const { term } = (window as unknown as BenchWindow).vigil;
    const parts: string[] = [];
    for (let i = 1; i <= count; i++) parts.push(`${i}\r\n`);
    const text = parts.join('');
    term.reset();
    return new Promise<number>((resolve) => {
      const startedAt = performance.now();
      term.write(text, () => resolve(performance.now() - startedAt));
    });
  }, lines);
}

/** Which renderer draws the page's terminal: the page may fall back to `dom` when WebGL fails. */
export function pageRenderer(page: Page): Promise<'webgl' | 'dom'> {
  return page.evaluate(() => (window as unknown as BenchWindow).vigil.renderer);
}

/**
 * Times Ctrl-C against the flood of `yes`: the keydown, and the end of parsing of every write that
 * carries a `y\r\n`, both on the page's clock. Wraps the terminal's own `write`, which the page
 * calls for every chunk of output, so the flood's last bytes are known exactly, not by polling.
 */
export function watchFlood(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    const flood = { keyAt: 0, lastFloodParsedAt: 0 };
    w.vigilBenchFlood = flood;
    window.addEventListener(
      'keydown',
      (event) => {
        if (event.ctrlKey && event.code === 'KeyC') flood.keyAt = performance.now();
      },
      { capture: true },
    );
    const { term } = w.vigil;
    const write = term.write.bind(term);
    const isFlood = (data: string | Uint8Array) => {
      if (typeof data === 'string') return data.includes('y\r\n');
      for (let i = 0; i + 2 < data.length; i++) {
        if (data[i] === 0x79 && data[i + 1] === 0x0d && data[i + 2] === 0x0a) return true;
      }
      return false;
    };
    term.write = (data, callback) => {
      const fromFlood = isFlood(data);
      write(data, () => {
        if (fromFlood) flood.lastFloodParsedAt = performance.now();
        callback?.();
      });
    };
  });
}

/** The times of the last Ctrl-C, then forgotten, so the next try cannot read a stale keydown. */
export async function floodTimes(page: Page): Promise<FloodTimes> {
  const times = await page.evaluate(() => {
    const flood = (window as unknown as BenchWindow).vigilBenchFlood;
    if (!flood) throw new Error('watchFlood was not called on this page');
    const seen = { ...flood };
    flood.keyAt = 0;
    return seen;
  });
  if (times.keyAt === 0) throw new Error('the page saw no Ctrl-C keydown');
  return times;
}
