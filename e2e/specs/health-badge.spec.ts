import type { Page } from '@playwright/test';
import {
  expect,
  expectTerminalLine,
  recordBadgeTexts,
  signInWithPassword,
  terminalLines,
  test,
} from '../support/vigil-fixtures.js';

const LIVE = /^live · [\d.]+ ms$/;
const LOST = 'lost — server not responding';

test('a frozen server takes the badge from live through each missed heartbeat to lost', async ({
  page,
  ownVigil,
}) => {
  await signInWithPassword(page, ownVigil, 'fast-heartbeat');
  const badge = page.locator('#health-badge');
  await expect(badge).toHaveText(LIVE);
  await expect(badge).toHaveAttribute('data-state', 'live');
  await expect(badge).toHaveAttribute('role', 'status');
  await expect(badge).toHaveAttribute('aria-live', 'polite');

  const badgeTexts = await recordBadgeTexts(page);
  // The stack is this test's own: every connection listed is the one just opened.
  const pids = await ownVigil.sshd.connectionPids();
  expect(pids.length).toBeGreaterThan(0);
  try {
    for (const pid of pids) process.kill(pid, 'SIGSTOP');

    await expect.poll(badgeTexts, { intervals: [100] }).toContain('missed 1 of 3');
    await expect(badge).toHaveText(LOST);
    await expect(badge).toHaveAttribute('data-state', 'lost');
    // OpenSSH's sequence with ServerAliveInterval 1 / ServerAliveCountMax 3, and nothing else.
    expect((await badgeTexts()).filter((text) => !LIVE.test(text))).toEqual([
      'missed 1 of 3',
      'missed 2 of 3',
      LOST,
    ]);
    await expect
      .poll(async () => (await terminalLines(page)).map((line) => line.trimEnd()))
      .toContain('Timeout, server 127.0.0.1 not responding.');
    await expect(page.locator('#back')).toBeVisible();
    // The session is over, and the badge keeps saying why.
    await expect(badge).toHaveText(LOST);
  } finally {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Gone already: the gateway dropped the connection and sshd may have been stopped.
      }
    }
  }
});

test('the details panel lists both legs, and closes again', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil, 'fast-heartbeat');
  await expect(page.locator('#health-badge')).toHaveText(LIVE);
  const toggle = page.locator('#health-toggle');
  const details = page.locator('#health-details');
  const cell = (name: string) => details.locator(`[data-health="${name}"]`);
  await expect(details).toBeHidden();
  await expect(toggle).toHaveAttribute('title', /^SSH heartbeat every 1 s, up to 3 missed/);

  await toggle.click();
  await expect(details).toBeVisible();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(cell('ssh-interval')).toHaveText('1 s');
  await expect(cell('ssh-count-max')).toHaveText('3');
  await expect(cell('tcp-keepalive')).toHaveText('on');
  await expect(cell('ssh-state')).toHaveText('live');
  await expect(cell('ssh-last-rtt')).toHaveText(/^[\d.]+ ms$/);
  await expect(cell('ssh-rtt-p50')).toHaveText(/^[\d.]+ ms$/);
  await expect(cell('ssh-rtt-p95')).toHaveText(/^[\d.]+ ms$/);
  await expect(cell('ssh-last-reply')).toHaveText(/^[\d.]+ s ago$/);
  // The gateway's defaults for the browser leg: a ping after 20 s of silence, 2 missed at most.
  await expect(cell('browser-interval')).toHaveText('20 s');
  await expect(cell('browser-count-max')).toHaveText('2');

  await page.keyboard.press('Escape');
  await expect(details).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toBeFocused();
});

test('a fresh session shows a round trip before the first keepalive is due, and the badge goes when the shell exits', async ({
  page,
  vigil,
}) => {
  // Vigil's default heartbeats: the first keepalive goes out after 15 s of silence, so a figure
  // sooner comes from the uncounted probe sent as the shell opens (heartbeats.md, "The first figure").
  await signInWithPassword(page, vigil);
  const openedAt = Date.now();
  const badge = page.locator('#health-badge');
  await expect(badge).toHaveText(/^live · [\d.]+ ms$/, { timeout: 10_000 });
  await expect(badge).toHaveAttribute('data-state', 'live');
  console.log(`[measured] first round trip on the badge ${Date.now() - openedAt} ms after the shell opened`);
  await page.locator('#terminal').click();
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(page.locator('#back')).toBeVisible();
  await expect(badge).toBeHidden();
});

/**
 * Relays the page's WebSockets through Playwright. The real sockets stay open and keep answering
 * the gateway's pings; `silence()` drops, from then on, what the gateway sends on the connections
 * open now before the page sees it. Connections the page opens later pass untouched.
 */
async function relayGateway(page: Page) {
  const connections: { silenced: boolean }[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const connection = { silenced: false };
    connections.push(connection);
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (!connection.silenced) ws.send(message);
    });
  });
  return {
    silence: () => {
      for (const connection of connections) connection.silenced = true;
    },
    unsilence: () => {
      for (const connection of connections) connection.silenced = false;
    },
  };
}

test.describe("the page's own watch on the gateway leg", () => {
  // The gateway pings a silent page every second and gives up after one miss, so the page's
  // deadline is (1 + 1) × 1 s + 5 s of grace = 7 s instead of 65 s.
  test.use({ ownVigilOptions: { browserHeartbeat: { interval: 1, countMax: 1 } } });

  test('a gateway that goes silent is given up on, and the page reconnects by itself', async ({
    page,
    ownVigil,
  }) => {
    const relay = await relayGateway(page);
    await signInWithPassword(page, ownVigil);
    const badge = page.locator('#health-badge');
    await expect(badge).toHaveAttribute('data-state', 'live');
    await page.locator('#terminal').click();
    await page.keyboard.type('echo before-$((20+1))');
    await page.keyboard.press('Enter');
    await expectTerminalLine(page, 'before-21');
    const badgeTexts = await recordBadgeTexts(page);
    // A path broken in one direction: the page still sends, nothing comes back.
    relay.silence();

    // Over in a moment on loopback, so recorded rather than polled for.
    await expect.poll(badgeTexts, { timeout: 15_000 }).toContain('reconnecting…');
    // A new connection takes the session over from the silent one, and the screen is kept.
    await expect(page.locator('#status')).toHaveText(/^reattached to fixture as /);
    await expect(badge).toHaveAttribute('data-state', 'live');
    await expect(page.locator('#back')).toBeHidden();
    await page.keyboard.type('echo after-$((20+2))');
    await page.keyboard.press('Enter');
    await expectTerminalLine(page, 'after-22');
    const lines = (await terminalLines(page)).map((line) => line.trimEnd());
    expect(lines.filter((line) => line === 'before-21')).toHaveLength(1);
  });

  test('a page whose timers ran late past the deadline is not told its connection failed', async ({
    page,
    ownVigil,
  }) => {
    const relay = await relayGateway(page);
    await signInWithPassword(page, ownVigil);
    const badge = page.locator('#health-badge');
    await expect(badge).toHaveAttribute('data-state', 'live');
    // The worst order on waking: the overdue timer runs before any frame is delivered. Dropping
    // what the gateway sends meanwhile makes that order certain.
    relay.silence();
    // A throttled or frozen tab runs no timers and delivers no events; a blocked main thread does
    // the same in a headless browser, whose pages cannot be hidden. Its length is the stimulus,
    // not a wait: 10 s is past the 7 s deadline. The socket answers pings from the network stack.
    await page.evaluate(() => {
      const until = performance.now() + 10_000;
      while (performance.now() < until) {
        // busy: nothing else runs on this thread meanwhile
      }
    });
    relay.unsilence();

    await page.locator('#terminal').click();
    await page.keyboard.type('echo still-$((40+2))');
    await page.keyboard.press('Enter');
    await expectTerminalLine(page, 'still-42');
    await expect(badge).toHaveAttribute('data-state', 'live');
    await expect(page.locator('#error')).toBeHidden();
    // Not even given up on and quietly reattached: the first connection is still the one.
    await expect(page.locator('#status')).toHaveText(/^connected to fixture as /);
  });
});
