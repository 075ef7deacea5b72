import type { Page } from '@playwright/test';
import { expect, expectTerminalLine, signInWithPassword, test } from '../support/vigil-fixtures.js';

/** Which renderer draws the terminal, as the page reports it (`window.vigil.renderer`). */
function activeRenderer(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { vigil: { renderer: string } }).vigil.renderer);
}

async function runInTerminal(page: Page, command: string) {
  await page.locator('#terminal').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

test('by default the DOM draws where WebGL2 is software (SwiftShader here)', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil);
  await runInTerminal(page, 'echo auto-$((6*7))');
  await expect(page.locator('#terminal .xterm-rows')).toContainText('auto-42');
  expect(await activeRenderer(page)).toBe('dom');
  await expect(page.locator('#terminal .xterm-screen canvas')).toHaveCount(0);
});

test('?renderer=webgl draws with WebGL, even in software', async ({ page, vigil }) => {
  await signInWithPassword(page, { ...vigil, url: `${vigil.url}?renderer=webgl` });
  await expect.poll(() => activeRenderer(page)).toBe('webgl');
  await expect(page.locator('#terminal .xterm-screen canvas').first()).toBeAttached();
  await runInTerminal(page, 'echo drawn-$((6*7))');
  await expectTerminalLine(page, 'drawn-42');
});

test('a lost WebGL context hands the terminal to the DOM renderer, text and all', async ({ page, vigil }) => {
  await signInWithPassword(page, { ...vigil, url: `${vigil.url}?renderer=webgl` });
  await expect.poll(() => activeRenderer(page)).toBe('webgl');
  await runInTerminal(page, 'echo before-$((6*7))');
  await expectTerminalLine(page, 'before-42');

  // What a GPU reset or a driver crash does to the page, short of the reset itself.
  const lost = await page.evaluate(() => {
    for (const canvas of Array.from(document.querySelectorAll('#terminal canvas'))) {
      // The addon's canvas answers with its WebGL2 context; its 2D layers answer null.
      const gl = (canvas as HTMLCanvasElement).getContext('webgl2');
      const extension = gl?.getExtension('WEBGL_lose_context');
      if (extension) {
        extension.loseContext();
        return true;
      }
    }
    return false;
  });
  expect(lost).toBe(true);

  // The addon waits 3 s for the browser to restore the context before giving it up.
  await expect.poll(() => activeRenderer(page), { timeout: 15_000 }).toBe('dom');
  await expect(page.locator('#terminal .xterm-screen canvas')).toHaveCount(0);
  const rows = page.locator('#terminal .xterm-rows');
  await expect(rows).toContainText('before-42');
  await runInTerminal(page, 'echo after-$((6*7))');
  await expect(rows).toContainText('after-42');
});

test('?renderer=dom keeps the DOM renderer', async ({ page, vigil }) => {
  await signInWithPassword(page, { ...vigil, url: `${vigil.url}?renderer=dom` });
  await runInTerminal(page, 'echo dom-$((6*7))');
  await expect(page.locator('#terminal .xterm-rows')).toContainText('dom-42');
  expect(await activeRenderer(page)).toBe('dom');
});

test('a browser without WebGL2 gets the DOM renderer, even asked for WebGL', async ({ page, vigil }) => {
  // As on a machine whose GPU is blocklisted: every request for a WebGL2 context is refused.
  await page.addInitScript(() => {
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (
      this: HTMLCanvasElement,
      id: string,
      ...rest: unknown[]
    ) {
      if (id === 'webgl2') return null;
      return (getContext as (...args: unknown[]) => RenderingContext | null).call(this, id, ...rest);
    } as typeof getContext;
  });
  await signInWithPassword(page, { ...vigil, url: `${vigil.url}?renderer=webgl` });
  await runInTerminal(page, 'echo plain-$((6*7))');
  await expect(page.locator('#terminal .xterm-rows')).toContainText('plain-42');
  expect(await activeRenderer(page)).toBe('dom');
});
