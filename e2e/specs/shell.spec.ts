import {
  expect,
  expectTerminalLine,
  signInWithPassword,
  terminalLines,
  terminalSize,
  test,
} from '../support/vigil-fixtures.js';

test('a person signs in to a target and runs a command', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil);
  await page.locator('#terminal').click();
  await page.keyboard.type('echo $((6*7))');
  await page.keyboard.press('Enter');
  await expectTerminalLine(page, '42');
});

test('the remote PTY follows the browser window size', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil);
  await page.setViewportSize({ width: 700, height: 450 });
  // The fit addon recomputes the grid; the gateway turns the resize into a window-change.
  await expect.poll(async () => (await terminalSize(page)).cols).toBeLessThan(100);
  const { cols, rows } = await terminalSize(page);
  await page.locator('#terminal').click();
  await page.keyboard.type('stty size');
  await page.keyboard.press('Enter');
  await expectTerminalLine(page, `${rows} ${cols}`);
});

test('UTF-8 output renders, wide characters and emoji included', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil);
  await page.locator('#terminal').click();
  // Typed as escapes so the check covers output rendering, not the keyboard path.
  await page.keyboard.type(
    "printf 'utf8: Gr\\303\\274\\303\\237e \\346\\274\\242\\345\\255\\227 \\360\\237\\231\\202\\n'",
  );
  await page.keyboard.press('Enter');
  await expectTerminalLine(page, 'utf8: Grüße 漢字 🙂');
});

test('the remote exit status is shown and the session ends', async ({ page, vigil }) => {
  await signInWithPassword(page, vigil);
  await page.locator('#terminal').click();
  await page.keyboard.type('exit 7');
  await page.keyboard.press('Enter');
  await expect(page.locator('#status')).toContainText('7');
  await expect(page.locator('#back')).toBeVisible();
  expect((await terminalLines(page)).join('\n')).toContain('7');
});

test('a wrong password is explained in the form', async ({ page, vigil }) => {
  await page.goto(vigil.url);
  await page.locator('[data-target="fixture"]').click();
  await page.locator('#username').fill(vigil.sshd.user);
  await page.locator('#auth-method').selectOption('password');
  await page.locator('#password').fill('definitely-wrong');
  await page.locator('#connect').click();
  await expect(page.locator('#error')).toContainText('Permission denied', { timeout: 20_000 });
});

test("cancelling the server's question goes back to the form, without an error", async ({ page, vigil }) => {
  await page.goto(vigil.url);
  await page.locator('[data-target="fixture"]').click();
  await page.locator('#username').fill(vigil.sshd.user);
  await page.locator('#auth-method').selectOption('keyboard-interactive');
  await page.locator('#connect').click();
  await expect(page.locator('#auth-prompt')).toBeVisible();
  await page.locator('#auth-cancel').click();
  await expect(page.locator('#signin-view')).toBeVisible();
  await expect(page.locator('#status')).toHaveText('Sign-in cancelled; no session was opened.');
  await expect(page.locator('#error')).toBeHidden();
});
