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
  write(data: string, callback: () => void): void;
  reset(): void;
}
type BenchWindow = { vigil: { term: PageTerminal }; vigilBenchParsed?: number };

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
