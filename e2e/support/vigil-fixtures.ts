import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { buildApp, configSchema } from '@vigil/gateway';
import type { LiveSession } from '@vigil/protocol';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';

interface Stack {
  sshd: SshdFixture;
  url: string;
  /** The gateway's own view of its sessions (it runs in the test's process), as administrators see it. */
  liveSessions(): LiveSession[];
}

/** The targets every stack offers: the same sshd, with Vigil's default heartbeats or fast ones. */
export type TargetName = 'fixture' | 'fast-heartbeat';

/** Gateway settings a test may change for a stack of its own (`ownVigil`), with `test.use`. */
export interface StackOptions {
  /** The gateway's pings to the browser: seconds of silence before one, misses tolerated. */
  browserHeartbeat?: { interval: number; countMax: number };
  /** What a session keeps for a browser that went away (see configuration.md). */
  sessions?: { replayBuffer?: number; overflow?: 'pause' | 'drop-oldest' };
  /** Gateway sign-in (configuration.md, `auth`); targets then need `allow` grants. */
  auth?: Record<string, unknown>;
}

/** Where the stack's sshd is, with its host keys pinned: the base of every target a test describes. */
export interface PinnedTarget {
  host: string;
  port: number;
  hostKeys: { pins: string[] };
}

function standardTargets(target: PinnedTarget) {
  return [
    { name: 'fixture', label: 'Test sshd', ...target },
    {
      name: 'fast-heartbeat',
      label: 'Test sshd (1 s heartbeats)',
      ...target,
      // A frozen server is declared lost within about 4 s instead of a minute.
      ssh: { ServerAliveInterval: 1, ServerAliveCountMax: 3 },
    },
  ];
}

/**
 * Starts an sshd and a gateway (serving the built web app) in front of it; `stop` undoes both.
 * `targetsFor` describes the targets around the sshd (the standard two unless a spec needs others);
 * it gets the sshd too, for targets that hold its client key.
 */
export async function startStack(
  options: StackOptions = {},
  targetsFor: (
    target: PinnedTarget,
    sshd: SshdFixture,
  ) => Record<string, unknown>[] | Promise<Record<string, unknown>[]> = standardTargets,
): Promise<Stack & { stop(): Promise<void> }> {
  const sshd = await startSshd();
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-'));
  const target = {
    host: sshd.host,
    port: sshd.port,
    hostKeys: { pins: sshd.hostKeys.map((k) => k.publicKey) },
  };
  const config = configSchema.parse({
    listen: { port: 0 },
    dataDir,
    ...options,
    targets: await targetsFor(target, sshd),
  });
  const { app, registry } = await buildApp(config, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return {
    sshd,
    url: `http://127.0.0.1:${address.port}/`,
    liveSessions: () => registry.listAll(),
    async stop() {
      await app.close();
      await sshd.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `vigil`: a real sshd and a real gateway, once per worker, shared by the worker's tests.
 * `ownVigil`: a stack of the test's own, for tests that freeze or kill sshd's connections and
 * must know that every connection `sshd.connectionPids()` lists is theirs.
 */
export const test = base.extend<
  { vigil: Stack; ownVigil: Stack; ownVigilOptions: StackOptions },
  { stack: Stack }
>({
  stack: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature needs the first argument.
    async ({}, use) => {
      const { stop, ...stack } = await startStack();
      await use(stack);
      await stop();
    },
    { scope: 'worker' },
  ],
  vigil: async ({ stack }, use) => use(stack),
  ownVigilOptions: [{}, { option: true }],
  ownVigil: async ({ ownVigilOptions }, use) => {
    const { stop, ...stack } = await startStack(ownVigilOptions);
    await use(stack);
    await stop();
  },
});

export { expect };

/** The terminal's visible text, read from xterm.js's buffer rather than from pixels. */
export async function terminalLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // The page exposes its xterm.js Terminal as window.vigil.term for exactly this.
    type BufferLine = { translateToString(trimRight: boolean): string };
    type Term = { buffer: { active: { length: number; getLine(n: number): BufferLine | undefined } } };
    const buffer = (window as unknown as { vigil: { term: Term } }).vigil.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines;
  });
}

export async function terminalSize(page: Page): Promise<{ cols: number; rows: number }> {
  return page.evaluate(() => {
    const term = (window as unknown as { vigil: { term: { cols: number; rows: number } } }).vigil.term;
    return { cols: term.cols, rows: term.rows };
  });
}

/** Waits until some terminal line equals `line` exactly (trailing blanks ignored). */
export async function expectTerminalLine(page: Page, line: string | RegExp) {
  await expect
    .poll(
      async () =>
        (await terminalLines(page)).some((l) =>
          typeof line === 'string' ? l.trimEnd() === line : line.test(l),
        ),
      {
        message: `terminal shows ${line}`,
      },
    )
    .toBe(true);
}

/** Picks a target (`fixture` unless told) and signs in with the throwaway user's password. */
export async function signInWithPassword(page: Page, stack: Stack, target: TargetName = 'fixture') {
  await page.goto(stack.url);
  await page.locator(`[data-target="${target}"]`).click();
  await page.locator('#username').fill(stack.sshd.user);
  await page.locator('#auth-method').selectOption('password');
  await page.locator('#password').fill(stack.sshd.password);
  await page.locator('#connect').click();
  await expect(page.locator('#status')).toContainText('connected');
}

/**
 * Records every text the badge shows from now on, in order. A missed count lasts one heartbeat
 * interval and a reconnect on loopback a fraction of a second: too short to poll the element for.
 */
export async function recordBadgeTexts(page: Page) {
  await page.evaluate(() => {
    const badge = document.getElementById('health-badge');
    if (!badge) throw new Error('#health-badge is missing');
    const seen = [badge.textContent ?? ''];
    (window as unknown as { badgeTexts: string[] }).badgeTexts = seen;
    new MutationObserver(() => {
      const text = badge.textContent ?? '';
      if (seen.at(-1) !== text) seen.push(text);
    }).observe(badge, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { badgeTexts: string[] }).badgeTexts);
}
