import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, WebSocketRoute } from '@playwright/test';
import {
  expect,
  expectTerminalLine,
  signInWithPassword,
  terminalLines,
  test,
} from '../support/vigil-fixtures.js';

const REATTACHED = /^reattached to fixture as /;

/** The page's xterm.js terminal, as far as these tests watch it. */
type WatchedTerm = {
  onWriteParsed(listener: () => void): unknown;
  write(data: string | Uint8Array, callback?: () => void): void;
};
type Probe = {
  lastParsedAt: number;
  /** xterm.js parses in batches; one count per batch costs nothing under a flood, unlike per line. */
  parsedBatches: number;
  /** Bytes (or characters, for the page's own notices) handed to `term.write`. */
  writtenBytes: number;
  ctrlCAt?: number;
  writtenAtCtrlC?: number;
  onlineAt?: number;
  reattachedAt?: number;
};

/**
 * Timestamps on the page's own clock: the last output xterm.js parsed, parse batches, the Ctrl-C
 * keystroke, the browser's `online` event and the status line saying "reattached"; and a count
 * of what the page hands to `term.write` (observed, passed on unchanged).
 */
async function installProbe(page: Page) {
  await page.evaluate(() => {
    const term = (window as unknown as { vigil: { term: WatchedTerm } }).vigil.term;
    const probe: Probe = { lastParsedAt: performance.now(), parsedBatches: 0, writtenBytes: 0 };
    (window as unknown as { probe: Probe }).probe = probe;
    const write = term.write.bind(term);
    term.write = (data, callback) => {
      probe.writtenBytes += typeof data === 'string' ? data.length : data.byteLength;
      write(data, callback);
    };
    term.onWriteParsed(() => {
      probe.lastParsedAt = performance.now();
      probe.parsedBatches++;
    });
    document.addEventListener(
      'keydown',
      (event) => {
        if (!event.ctrlKey || event.key.toLowerCase() !== 'c') return;
        probe.ctrlCAt = performance.now();
        probe.writtenAtCtrlC = probe.writtenBytes;
      },
      { capture: true },
    );
    window.addEventListener('online', () => {
      probe.onlineAt = performance.now();
      probe.reattachedAt = undefined;
    });
    const status = document.getElementById('status');
    if (!status) throw new Error('#status is missing');
    new MutationObserver(() => {
      if (probe.onlineAt !== undefined && probe.reattachedAt === undefined) {
        if (status.textContent?.startsWith('reattached')) probe.reattachedAt = performance.now();
      }
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
  return {
    read: () => page.evaluate(() => ({ ...(window as unknown as { probe: Probe }).probe })),
    now: () => page.evaluate(() => performance.now()),
  };
}

async function run(page: Page, command: string) {
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** Prints `line-1`..`line-60` over 6 s, then `all-done`. */
const SLOW_PRINT = 'for i in $(seq 1 60); do echo line-$i; sleep 0.1; done; echo all-done';

/** Every `line-N` on screen, in order: exactly 1..60 means nothing was lost and nothing repeated. */
async function expectEveryLineOnce(page: Page) {
  await expectTerminalLine(page, 'all-done');
  const printed = (await terminalLines(page))
    .map((line) => line.trimEnd())
    .filter((line) => /^line-\d+$/.test(line));
  expect(printed).toEqual(Array.from({ length: 60 }, (_, i) => `line-${i + 1}`));
}

/** How long after the browser's `online` event the page said "reattached", on its own clock. */
async function reattachFigure(probe: Awaited<ReturnType<typeof installProbe>>, testSideMs: number) {
  const seen = await probe.read();
  const fromOnline =
    seen.onlineAt !== undefined && seen.reattachedAt !== undefined
      ? `${(seen.reattachedAt - seen.onlineAt).toFixed(1)} ms after the online event`
      : 'no online event seen';
  return `${fromOnline} (${testSideMs} ms as the test saw it)`;
}

test.describe('offline', () => {
  // The gateway pings a silent page every second and gives up after one miss, so the page's
  // watchdog gives up after (1 + 1) × 1 s + 5 s of grace: Chromium's offline mode stalls an open
  // WebSocket without failing it, and only silence tells.
  test.use({ ownVigilOptions: { browserHeartbeat: { interval: 1, countMax: 1 } } });

  test('output carries on without a gap or a repeat after the page gave the connection up', async ({
    page,
    context,
    ownVigil,
  }) => {
    await signInWithPassword(page, ownVigil);
    const probe = await installProbe(page);
    const badge = page.locator('#health-badge');
    await page.locator('#terminal').click();
    await run(page, SLOW_PRINT);
    await expectTerminalLine(page, 'line-5');

    await context.setOffline(true);
    const offlineAt = Date.now();
    await expect(badge).toHaveText('reconnecting…', { timeout: 20_000 });
    await expect(badge).toHaveAttribute('data-state', 'reconnecting');
    await expect(page.locator('#status')).toHaveText(/^Connection lost — reconnecting \(attempt \d+\)…$/);
    console.log(
      `[measured] watchdog gave the stalled socket up ${Date.now() - offlineAt} ms after going offline`,
    );
    // The screen stays, and no Back button: the page is on it.
    await expect(page.locator('#back')).toBeHidden();
    await expect(page.locator('#error')).toBeHidden();

    await context.setOffline(false);
    const onlineAt = Date.now();
    await expect(page.locator('#status')).toHaveText(REATTACHED);
    const testSideMs = Date.now() - onlineAt;
    await expect(badge).not.toHaveAttribute('data-state', 'reconnecting');
    console.log(`[measured] reattached ${await reattachFigure(probe, testSideMs)}`);
    await expectEveryLineOnce(page);
  });
});

test('after a short spell offline the page reattaches as soon as the browser is online', async ({
  page,
  context,
  vigil,
}) => {
  // Vigil's default heartbeats: the watchdog would wait over a minute to judge the stalled socket.
  await signInWithPassword(page, vigil);
  const probe = await installProbe(page);
  await page.locator('#terminal').click();
  await run(page, SLOW_PRINT);
  await expectTerminalLine(page, 'line-5');

  await context.setOffline(true);
  // The offline spell is the stimulus, not a wait for something; the loop goes on meanwhile.
  await page.waitForTimeout(2500);
  await context.setOffline(false);
  const onlineAt = Date.now();
  await expect(page.locator('#status')).toHaveText(REATTACHED);
  console.log(`[measured] reattached ${await reattachFigure(probe, Date.now() - onlineAt)}`);
  await expectEveryLineOnce(page);
});

/**
 * Relays the page's WebSockets through Playwright so a test can cut them: `cut()` closes every
 * open connection on the gateway's side (the page hears the close too) and refuses new ones
 * until `restore()`.
 */
async function cuttableRelay(page: Page) {
  let cut = false;
  const servers: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (cut) return void ws.close();
    servers.push(ws.connectToServer());
  });
  return {
    cut: () => {
      cut = true;
      for (const server of servers.splice(0)) server.close();
    },
    restore: () => {
      cut = false;
    },
  };
}

/** Waits, with a deadline, for a file the remote shell creates (sshd runs on this machine). */
async function expectFile(path: string) {
  await expect
    .poll(
      async () =>
        access(path).then(
          () => true,
          () => false,
        ),
      { timeout: 20_000 },
    )
    .toBe(true);
}

test.describe('a gateway that drops the oldest output', () => {
  test.use({ ownVigilOptions: { sessions: { overflow: 'drop-oldest', replayBuffer: 512 * 1024 } } });

  test('says how much output was lost while away, then shows the newest', async ({ page, ownVigil }) => {
    const relay = await cuttableRelay(page);
    await signInWithPassword(page, ownVigil);
    const dir = await mkdtemp(join(tmpdir(), 'vigil-e2e-lossy-'));
    // The shell runs as sshd's throwaway user, who must be able to create a file here.
    await chmod(dir, 0o777);
    try {
      const go = join(dir, 'go');
      const done = join(dir, 'done');
      await page.locator('#terminal').click();
      // About 1.3 MB once `go` exists, far more than the 512 KiB the gateway keeps; all on one
      // line, each number over the last, so the notice stays within the scrollback.
      await run(
        page,
        `while [ ! -e ${go} ]; do sleep 0.05; done; seq 1 200000 | tr '\\n' '\\r'; echo; echo seq-done; touch ${done}`,
      );
      await expect(page.locator('#status')).toHaveText(/^connected to /);

      relay.cut();
      await expect(page.locator('#health-badge')).toHaveAttribute('data-state', 'reconnecting');
      await writeFile(go, '');
      // The gateway read it all while nobody was attached, keeping only the newest.
      await expectFile(done);
      relay.restore();

      await expect(page.locator('#status')).toHaveText(REATTACHED, { timeout: 15_000 });
      await expectTerminalLine(page, 'seq-done');
      const lines = (await terminalLines(page)).map((line) => line.trimEnd());
      const notice = lines.findIndex((line) =>
        /^\[vigil: \d+ bytes of output were lost while disconnected\]$/.test(line),
      );
      expect(notice).toBeGreaterThanOrEqual(0);
      const lostBytes = Number(/\d+/.exec(lines[notice] ?? '')?.[0]);
      // `seq 1 200000` is 1 288 895 bytes; at most 512 KiB of them were kept.
      expect(lostBytes).toBeGreaterThan(1_288_895 - 512 * 1024);
      console.log(`[measured] ${lostBytes} bytes reported lost under drop-oldest with a 512 KiB buffer`);
      // Right after the notice, the newest output, up to the very end.
      expect(lines.slice(notice + 1, notice + 3)).toEqual(['200000', 'seq-done']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('a reload takes the session up again, with the recent output replayed', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil);
  await page.locator('#terminal').click();
  await run(page, 'echo before-$((1000-1))');
  await expectTerminalLine(page, 'before-999');

  await page.reload();
  // No list to choose from: the tab remembers its session and attaches it by itself.
  await expect(page.locator('#status')).toHaveText(REATTACHED);
  await expect(page.locator('#terminal-view')).toBeVisible();
  await expectTerminalLine(page, 'before-999');
  await page.locator('#terminal').click();
  await run(page, 'echo after-$((1000+1))');
  await expectTerminalLine(page, 'after-1001');
});

/** ssh2's channel packets: the output of one turn that can land after a pause decision. */
const SSH_PACKET = 32 * 1024;
/**
 * What sshd and the PTY may still hold besides the SSH window: sshd reads at most one buffer
 * (16 KiB) beyond what the window lets it send, and the PTY's queue is flushed on SIGINT.
 */
const SERVER_SLACK = 64 * 1024;

test('Ctrl-C stops a flood within the flow window, and the gateway stays small', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil);
  const probe = await installProbe(page);
  await page.locator('#terminal').click();
  // The gateway runs in this process (the fixture calls buildApp): its memory and its own view
  // of the session, read on every turn of the shared event loop so no window is missed.
  const session = () => {
    const attached = vigil.liveSessions().filter((s) => s.attached);
    return attached.length === 1 ? attached[0] : undefined;
  };
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const seen = { window: 0, channelWindow: 0, unacked: 0, unackedOverWindow: 0 };
  let ctrlCSent: { input: number; at?: ReturnType<typeof session> } | undefined;
  const watcher = setInterval(() => {
    const now = session();
    if (!now?.flow) return;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    seen.window = Math.max(seen.window, now.flow.windowBytes);
    seen.channelWindow = Math.max(seen.channelWindow, now.flow.channelWindowBytes);
    seen.unacked = Math.max(seen.unacked, now.flow.unackedBytes);
    seen.unackedOverWindow = Math.max(seen.unackedOverWindow, now.flow.unackedBytes - seen.window);
    if (ctrlCSent && !ctrlCSent.at && now.bytesToTarget > ctrlCSent.input) ctrlCSent.at = now;
  }, 1);
  try {
    await run(page, 'yes');
    // Let it flow for 3 s: long enough for the window to follow the page's measured drain rate.
    const floodUntil = Date.now() + 3000;
    await expect
      .poll(async () => Date.now() >= floodUntil && (await probe.read()).parsedBatches > 100, {
        intervals: [100],
        timeout: 20_000,
      })
      .toBe(true);

    ctrlCSent = { input: session()?.bytesToTarget ?? 0 };
    await page.keyboard.press('Control+C');
    // At rest: nothing parsed for 300 ms.
    await expect
      .poll(async () => (await probe.now()) - (await probe.read()).lastParsedAt > 300, { intervals: [50] })
      .toBe(true);
  } finally {
    clearInterval(watcher);
  }
  const atCtrlC = ctrlCSent.at;
  const end = session();
  if (!atCtrlC?.flow || !end) throw new Error('the gateway never saw the Ctrl-C, or lost the session');
  const { ctrlCAt, lastParsedAt, writtenBytes, writtenAtCtrlC } = await probe.read();
  const growthMiB = (rssPeak - rssBefore) / 2 ** 20;
  // Output the page still had to parse when the gateway passed Ctrl-C on: the unacknowledged
  // part of what it had sent, and whatever the server sent after.
  const acknowledgedAtCtrlC = atCtrlC.bytesFromTarget - atCtrlC.flow.unackedBytes;
  const afterCtrlC = end.bytesFromTarget - acknowledgedAtCtrlC;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  console.log(
    `[measured] output stopped ${(lastParsedAt - (ctrlCAt ?? 0)).toFixed(0)} ms after Ctrl-C; ` +
      `${kib(afterCtrlC)} to parse after the gateway got it (${kib(writtenBytes - (writtenAtCtrlC ?? 0))} ` +
      `written after the keypress); windows up to ${kib(seen.window)} in flight, ${kib(seen.channelWindow)} ` +
      `SSH; drain ${((atCtrlC.flow.drainBytesPerSecond ?? 0) / 1e6).toFixed(2)} MB/s; gateway RSS peak ` +
      `growth ${growthMiB.toFixed(1)} MiB (${(rssBefore / 2 ** 20).toFixed(0)} MiB before)`,
  );
  // The window rule (docs/architecture.md, "Flow control"): the gateway pauses once more than
  // the window is unacknowledged, so one packet at most lands beyond it...
  expect(seen.unackedOverWindow).toBeLessThanOrEqual(SSH_PACKET);
  // ...and after Ctrl-C the page parses at most that plus what the SSH window let the server
  // send after the pause, and what sshd and the PTY held. Without flow control it would be all
  // the `yes` printed meanwhile, tens of MB.
  expect(afterCtrlC).toBeLessThanOrEqual(seen.window + SSH_PACKET + seen.channelWindow + SERVER_SLACK);
  expect(growthMiB).toBeLessThan(150);

  // The prompt is back: the shell takes the next command.
  await run(page, 'echo stopped-$((2*21))');
  await expectTerminalLine(page, 'stopped-42');
});

test('a million lines of seq arrive whole, through acknowledgements end to end', async ({ page, vigil }) => {
  test.setTimeout(120_000);
  await signInWithPassword(page, vigil);
  await page.locator('#terminal').click();
  const startedAt = Date.now();
  await run(page, 'seq 1 1000000');
  await expect
    .poll(async () => (await terminalLines(page)).some((line) => line.trimEnd() === '1000000'), {
      timeout: 100_000,
    })
    .toBe(true);
  console.log(`[measured] seq 1 1000000 (6.9 MB) shown in ${Date.now() - startedAt} ms`);
  // The scrollback holds the tail: every number in it follows the one before.
  const numbers = (await terminalLines(page))
    .map((line) => line.trimEnd())
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
  expect(numbers.length).toBeGreaterThan(4000);
  expect(numbers.at(-1)).toBe(1_000_000);
  expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1)).toBe(true);
});

test('another tab lists the session and takes it over; the first tab says so', async ({
  page,
  context,
  vigil,
}) => {
  await signInWithPassword(page, vigil);
  await page.locator('#terminal').click();
  await run(page, 'echo first-$((3*3))');
  await expectTerminalLine(page, 'first-9');

  const second = await context.newPage();
  await second.goto(vigil.url);
  const sessions = second.locator('#sessions');
  await expect(sessions).toBeVisible();
  await expect(sessions.getByRole('heading')).toHaveText('Your sessions');
  await expect(sessions.locator('li')).toHaveCount(1);
  await expect(sessions.locator('li')).toContainText('fixture');
  await expect(sessions.locator('li')).toContainText(`as ${vigil.sshd.user}`);
  await expect(sessions.locator('li')).toContainText('open in another tab or window');
  await sessions.locator('[data-session]').click();

  await expect(second.locator('#status')).toHaveText(REATTACHED);
  await expectTerminalLine(second, 'first-9');
  await expect(page.locator('#error')).toHaveText(
    'This session was opened in another tab or window; it continues there.',
  );
  await expect(page.locator('#back')).toBeVisible();
  await expect(page.locator('#health')).toBeHidden();

  await second.locator('#terminal').click();
  await run(second, 'echo second-$((4*4))');
  await expectTerminalLine(second, 'second-16');
  // The first tab stays as it was: it does not try to win the session back.
  expect((await terminalLines(page)).map((line) => line.trimEnd())).not.toContain('second-16');
  await expect(page.locator('#status')).toHaveText('Opened in another tab or window');
});
