import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from '@playwright/test';
import type { SshdFixture } from '@vigil/test-sshd';
import { localWriteMs, screenTail, signIn, untilScreen } from './browser-terminal.js';
import { DirectShell } from './direct-shell.js';
import { attempt, type BenchContext, type Figure, type FigureModule, ms, ratioText } from './figure.js';
import { type GatewayUnderBench, startGateway, TARGETS } from './gateway-harness.js';
import { atPrompt } from './session-pool.js';
import { waitForOutput } from './terminal-stream.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** No new output parsed for this long: the page has stalled (the brief's 10 s). */
const STALL_MS = 10_000;
const FLOOD_BEFORE_CTRL_C_MS = 2_000;
const STALL_HINT = 'a page that sends no `ack` stalls once 512 KiB are unacknowledged (flow control)';

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** Builds the web app when its dist is missing or older than its sources, so a rerun sees the latest page. */
async function ensureWebBuild(context: BenchContext): Promise<void> {
  const web = join(REPO, 'apps/web');
  const built = await stat(join(web, 'dist/index.html')).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const sources = Math.max(
    await newestMtime(join(web, 'src')),
    await newestMtime(join(web, 'index.html')),
    await newestMtime(join(REPO, 'packages/protocol/src')),
  );
  if (built >= sources) return;
  context.log('  building the web app (its dist is older than its sources)');
  try {
    await promisify(execFile)('pnpm', ['--filter', '@vigil/web', 'build'], { cwd: REPO, timeout: 300_000 });
  } catch (error) {
    const output =
      (error as { stderr?: string; stdout?: string }).stderr || (error as { stdout?: string }).stdout;
    throw new Error(`the web app did not build: ${String(output ?? error).slice(-500)}`);
  }
}

/** A page signed in to the bench target, its shell at the prompt; the caller closes it. */
async function pageAtPrompt(browser: Browser, gateway: GatewayUnderBench, sshd: SshdFixture): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  try {
    await signIn(page, gateway.url, TARGETS.default, sshd);
    await untilScreen(page, 'the prompt', (tail) => tail.lastLine.endsWith('$'), STALL_MS);
    return page;
  } catch (error) {
    await page.close();
    throw error;
  }
}

async function measureSeq(
  context: BenchContext,
  browser: Browser,
  gateway: GatewayUnderBench,
): Promise<Figure> {
  const { sshd, settings } = context;
  const lines = settings.seqLines;
  const last = String(lines);

  const shell = await DirectShell.open(sshd);
  let directMs: number;
  try {
    await atPrompt(shell);
    const done = waitForOutput(shell, `\n${last}\r\n`, 120_000);
    const sentAt = performance.now();
    shell.type(`seq 1 ${lines}\r`);
    await done;
    directMs = performance.now() - sentAt;
  } finally {
    await shell.close();
  }

  const page = await pageAtPrompt(browser, gateway, sshd);
  try {
    await page.keyboard.type(`seq 1 ${lines}`);
    const sentAt = performance.now();
    await page.keyboard.press('Enter');
    let rendered: { at: number };
    try {
      rendered = await untilScreen(
        page,
        `"${last}" on screen`,
        (t) => t.lines.some((l) => l.trim() === last),
        STALL_MS,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message} (${STALL_HINT})`);
    }
    const vigilMs = rendered.at - sentAt;
    const xtermMs = await localWriteMs(page, lines);
    return {
      figure: `Browser: \`seq 1 ${lines}\` fully rendered`,
      vigil: ms(vigilMs),
      baseline: `${ms(directMs)} (bytes over bare ssh2)`,
      ratio: ratioText(vigilMs, directMs),
      goal: 'completes, no stall',
      verdict: 'pass',
      notes: `xterm.js alone parses the same ${lines} lines written in the page in ${ms(xtermMs)}`,
    };
  } finally {
    await page.close();
  }
}

async function measureCtrlC(
  context: BenchContext,
  browser: Browser,
  gateway: GatewayUnderBench,
): Promise<Figure> {
  const { sshd } = context;
  const shell = await DirectShell.open(sshd);
  let directMs: number;
  try {
    await atPrompt(shell);
    shell.type('yes\r');
    await sleep(FLOOD_BEFORE_CTRL_C_MS);
    if (shell.received < 1024 * 1024)
      throw new Error(`bare ssh2: yes printed only ${shell.received} bytes in 2 s`);
    const prompt = waitForOutput(shell, '$ ', 60_000);
    const sentAt = performance.now();
    shell.type('\x03');
    await prompt;
    directMs = performance.now() - sentAt;
  } finally {
    await shell.close();
  }

  const page = await pageAtPrompt(browser, gateway, sshd);
  try {
    await page.keyboard.type('yes');
    await page.keyboard.press('Enter');
    await untilScreen(page, 'the flood of "y"', (tail) => tail.lastLine === 'y', STALL_MS);
    const floodFrom = (await screenTail(page)).parses;
    await sleep(FLOOD_BEFORE_CTRL_C_MS);
    const floodParses = (await screenTail(page)).parses - floodFrom;
    const sentAt = performance.now();
    await page.keyboard.press('Control+C');
    let stopped: { at: number };
    try {
      stopped = await untilScreen(
        page,
        'the prompt after Ctrl-C',
        (tail) => tail.lastLine.endsWith('$'),
        STALL_MS,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message} (${STALL_HINT})`);
    }
    const vigilMs = stopped.at - sentAt;
    return {
      figure: 'Browser: Ctrl-C to output stopping, during `yes`',
      vigil: ms(vigilMs),
      baseline: `${ms(directMs)} (prompt back over bare ssh2)`,
      ratio: ratioText(vigilMs, directMs),
      goal: 'completes, no stall',
      verdict: 'pass',
      notes: `output stopped = the new prompt is the last line; the page parsed ${floodParses} write batches in the 2 s of flood before Ctrl-C`,
    };
  } finally {
    await page.close();
  }
}

/** Figure 6: headless Chromium on the built web app, against the same commands over bare ssh2. */
export const browserRender: FigureModule = async (context) => {
  const seqTitle = `Browser: \`seq 1 ${context.settings.seqLines}\` fully rendered`;
  const ctrlCTitle = 'Browser: Ctrl-C to output stopping, during `yes`';
  const goal = 'completes, no stall';
  let gateway: GatewayUnderBench | undefined;
  let browser: Browser | undefined;
  try {
    await ensureWebBuild(context);
    gateway = await startGateway(context, 'browser');
    browser = await chromium.launch({
      executablePath: context.settings.chromium,
      headless: true,
      args: [
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  } catch (error) {
    await browser?.close();
    await gateway?.stop();
    const notes = `could not start: ${error instanceof Error ? error.message : String(error)}`;
    return [seqTitle, ctrlCTitle].map((figure) => ({
      figure,
      vigil: '—',
      baseline: '—',
      ratio: '—',
      goal,
      verdict: 'failed' as const,
      notes,
    }));
  }
  const ready = { browser, gateway };
  try {
    return [
      ...(await attempt(seqTitle, goal, async () => [
        await measureSeq(context, ready.browser, ready.gateway),
      ])),
      ...(await attempt(ctrlCTitle, goal, async () => [
        await measureCtrlC(context, ready.browser, ready.gateway),
      ])),
    ];
  } finally {
    await browser.close();
    await gateway.stop();
  }
};
