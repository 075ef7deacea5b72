import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { expectTerminalLine, startStack } from '../support/vigil-fixtures.js';

// Vigil as a bastion: people sign in to the gateway, see only the targets granted to them, and
// an administrator reads the audit trail and replays a session. The stack is this file's own
// (sign-in changes every request), started once for the story below.

/** Hashes from `echo -n <password> | vigil hash-password`; @vigil/gateway does not export hashing. */
const PEOPLE = {
  alice: {
    password: 'alice-pw',
    passwordHash:
      '$scrypt$ln=15,r=8,p=1$fGI/DPDJPEFzgahV614h7g==$Rg+M5p5ykqHcjoJFzdJEE6x0THmmZsPZ3zPSa845XOI=',
    groups: ['ops'],
  },
  bob: {
    password: 'bob-pw',
    passwordHash:
      '$scrypt$ln=15,r=8,p=1$Ykg3biHkWIHj8G4TWuQx6Q==$+LlN/8iVPPugyXophbiVMbnkzq1DasB5XzJUByM3mW4=',
    groups: ['dev'],
  },
} as const;
type Person = keyof typeof PEOPLE;

/** Where the deploy target's key lives, as an operator's key folder would. */
let keyDir: string;

/**
 * An sshd and a gateway with local users, admins and per-target grants, as in configuration.md;
 * `deploy-box` holds its own key (the fixture's client key), so nobody is asked for credentials.
 */
function startBastion() {
  const users = Object.entries(PEOPLE).map(([name, { passwordHash, groups }]) => ({
    name,
    passwordHash,
    groups,
  }));
  return startStack({ auth: { local: { users }, admins: { groups: ['ops'] } } }, async (target, sshd) => {
    const privateKeyFile = join(keyDir, 'deploy_ed25519');
    await writeFile(privateKeyFile, sshd.privateKey, { mode: 0o600 });
    return [
      { name: 'ops-box', label: 'Ops box', ...target, allow: { groups: ['ops'] } },
      { name: 'dev-box', label: 'Dev box', ...target, allow: { users: ['bob'] } },
      {
        name: 'deploy-box',
        label: 'Deploy box',
        ...target,
        user: sshd.user,
        credentials: { privateKeyFile },
        allow: { users: ['bob'] },
      },
    ];
  });
}

let stack: Awaited<ReturnType<typeof startBastion>>;

test.beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-keys-'));
  stack = await startBastion();
});

test.afterAll(async () => {
  await stack?.stop();
  await rm(keyDir, { recursive: true, force: true });
});

// Alice looks for the session bob ran in the test before hers, and counts his sign-ins.
test.describe.configure({ mode: 'serial' });

async function signInToGateway(page: Page, person: Person) {
  await page.goto(stack.url);
  await page.locator('#login-name').fill(person);
  await page.locator('#login-password').fill(PEOPLE[person].password);
  await page.locator('#login-submit').click();
  await expect(page.locator('#account-name')).toHaveText(person);
}

/** The targets the page lists, once it has listed them. */
async function listedTargets(page: Page): Promise<string[]> {
  await expect(page.locator('#targets')).not.toHaveAttribute('aria-busy', 'true');
  await expect(page.locator('[data-target]').first()).toBeVisible();
  return page
    .locator('[data-target]')
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-target') ?? ''));
}

test('a wrong password is refused in the words of the gateway', async ({ page }) => {
  await page.goto(stack.url);
  await expect(page.locator('#sign-in')).toBeVisible();
  await expect(page.locator('#login-sso')).toBeHidden();
  await page.locator('#login-name').fill('bob');
  await page.locator('#login-password').fill('not-bobs-password');
  await page.locator('#login-submit').click();
  await expect(page.locator('#login-error')).toHaveText('Wrong user name or password.');
  await expect(page.locator('#targets-view')).toBeHidden();
  await expect(page.locator('#account')).toBeHidden();
});

/** Opens dev-box as the fixture's user, runs `command`, waits for `line`, and exits the shell. */
async function runOnDevBox(page: Page, command: string, line: string) {
  await page.locator('[data-target="dev-box"]').click();
  await page.locator('#username').fill(stack.sshd.user);
  await page.locator('#auth-method').selectOption('password');
  await page.locator('#password').fill(stack.sshd.password);
  await page.locator('#connect').click();
  await expect(page.locator('#status')).toContainText('connected');
  await page.locator('#terminal').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
  await expectTerminalLine(page, line);
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(page.locator('#back')).toBeVisible();
}

test('bob sees only his targets, runs a command on one, and signs out', async ({ page }) => {
  await signInToGateway(page, 'bob');
  expect(await listedTargets(page)).toEqual(['dev-box', 'deploy-box']);
  await expect(page.locator('[data-target="deploy-box"]')).toContainText('key held by the gateway');
  await expect(page.locator('#open-audit')).toBeHidden();
  await runOnDevBox(page, 'echo bastion-$((6*7))', 'bastion-42');
  // The gateway has a recording of it for him (asked with HEAD); playing it is the last test.
  await expect(page.locator('#play-recording')).toBeVisible();

  await page.locator('#logout').click();
  await expect(page.locator('#sign-in')).toBeVisible();
  await expect(page.locator('#account')).toBeHidden();
  await expect(page.locator('#login-name')).toBeFocused();
});

test('a sign-in that ends elsewhere brings the sign-in screen back', async ({ page }) => {
  await signInToGateway(page, 'alice');
  expect(await listedTargets(page)).toEqual(['ops-box']);
  // Signed out by another tab of the same browser: the cookie is gone for every tab.
  expect((await page.request.post(new URL('/api/logout', stack.url).href)).status()).toBe(204);
  await page.locator('[data-target="ops-box"]').click();
  await page.locator('#change-target').click();
  await expect(page.locator('#sign-in')).toBeVisible();
  await expect(page.locator('#login-note')).toHaveText('Your sign-in has ended. Sign in again to continue.');
  await expect(page.locator('#error')).toBeHidden();
  await page.locator('#login-name').fill('alice');
  await page.locator('#login-password').fill(PEOPLE.alice.password);
  await page.locator('#login-submit').click();
  expect(await listedTargets(page)).toEqual(['ops-box']);
});

test("alice, an administrator, finds bob's session in the audit trail and plays it", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInToGateway(page, 'alice');
  expect(await listedTargets(page)).toEqual(['ops-box']);

  await page.locator('#open-audit').click();
  await expect(page.locator('#audit')).toBeVisible();
  const bobsRows = (kind: string) =>
    page
      .locator(`#audit-rows tr[data-kind="${kind}"]`)
      .filter({ hasText: 'dev-box' })
      .filter({ hasText: 'bob' });
  await expect(bobsRows('session-start')).toHaveCount(1);
  await expect(bobsRows('session-end')).toHaveCount(1);
  await expect(bobsRows('session-end')).toContainText('exited with status 0');
  const sessionId = await bobsRows('session-start').locator('[data-play]').getAttribute('data-play');
  expect(sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  await expect(bobsRows('session-end').locator(`[data-play="${sessionId}"]`)).toHaveCount(1);

  // The filters go to the gateway: bob's sign-ins, newest first, so the refused one is last.
  await page.locator('#audit-kind').selectOption('sign-in');
  await page.locator('#audit-owner').fill('bob');
  await page.locator('#audit-apply').click();
  await expect(page.locator('#audit-rows tr')).toHaveCount(2);
  await expect(page.locator('#audit-rows tr').nth(0)).toContainText('success');
  await expect(page.locator('#audit-rows tr').nth(1)).toContainText('failure');
  await expect(page.locator('#audit-rows [data-play]')).toHaveCount(0);

  await page.locator('#audit-kind').selectOption('');
  await page.locator('#audit-owner').fill('');
  await page.locator('#audit-apply').click();
  await bobsRows('session-end').locator(`[data-play="${sessionId}"]`).click();
  await expect(page.locator('#player')).toBeVisible();
  await expect(page.locator('#player-heading')).toContainText('dev-box');
  await expect(page.locator('#player-screen')).toContainText('bastion-42', { timeout: 30_000 });
  await page.locator('#player-close').click();
  await expect(page.locator('#audit')).toBeVisible();
  await context.close();
});

test('bob replays a session of his own when it is over', async ({ page }) => {
  await signInToGateway(page, 'bob');
  await runOnDevBox(page, 'echo replay-$((6*7))', 'replay-42');
  await page.locator('#play-recording').click();
  await expect(page.locator('#player')).toBeVisible();
  await expect(page.locator('#player-heading')).toContainText('dev-box');
  await expect(page.locator('#player-screen')).toContainText('replay-42', { timeout: 30_000 });
  await page.locator('#player-close').click();
  await expect(page.locator('#back')).toBeVisible();
});

test('when his sign-in ends, bob signs in again and carries on; later he ends the session from another tab', async ({
  page,
}) => {
  await signInToGateway(page, 'bob');
  await page.locator('[data-target="deploy-box"]').click();
  await expect(page.locator('#status')).toContainText('connected to deploy-box');
  await page.locator('#terminal').click();
  await page.keyboard.type('echo before-$((6*7))');
  await page.keyboard.press('Enter');
  await expectTerminalLine(page, 'before-42');

  // Signed out elsewhere (another tab of this browser): the gateway closes the socket at once.
  expect((await page.request.post(new URL('/api/logout', stack.url).href)).status()).toBe(204);
  await expect(page.locator('#sign-in')).toBeVisible();
  await expect(page.locator('#login-note')).toHaveText('Your sign-in has ended. Sign in again to continue.');
  await page.locator('#login-name').fill('bob');
  await page.locator('#login-password').fill(PEOPLE.bob.password);
  await page.locator('#login-submit').click();
  await expect(page.locator('#status')).toContainText('reattached to deploy-box');
  await expectTerminalLine(page, 'before-42');
  await page.locator('#terminal').click();
  await page.keyboard.type('echo after-$((6*7))');
  await page.keyboard.press('Enter');
  await expectTerminalLine(page, 'after-42');

  // The tab is closed with the shell still running: another tab lists it, and ends it.
  const other = await page.context().newPage();
  await page.close();
  // The list is read once when the page loads: first let the gateway notice the tab is gone.
  const sessionsUrl = new URL('/api/sessions', stack.url).href;
  await expect
    .poll(
      async () =>
        ((await (await other.request.get(sessionsUrl)).json()) as { attached: boolean }[])[0]?.attached,
    )
    .toBe(false);
  await other.goto(stack.url);
  const left = other.locator('#session-list li').filter({ hasText: 'deploy-box' });
  await expect(left).toHaveCount(1);
  await expect(left).toContainText('not attached');
  other.once('dialog', (dialog) => void dialog.accept());
  await left.locator('[data-end-session]').click();
  await expect(other.locator('#sessions')).toBeHidden();
  await expect(other.locator('#error')).toBeHidden();
});

test("the gateway signs bob in with deploy-box's own key, and alice ends that session from the live list", async ({
  browser,
}) => {
  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  await signInToGateway(bob, 'bob');
  // Nothing to ask: a click connects, as `ssh deploy-box` would with the key in ~/.ssh.
  await bob.locator('[data-target="deploy-box"]').click();
  await expect(bob.locator('#status')).toContainText(`connected to deploy-box as ${stack.sshd.user}`);
  await expect(bob.locator('#signin-view')).toBeHidden();
  await bob.locator('#terminal').click();
  await bob.keyboard.type('echo held-key-$((6*7))');
  await bob.keyboard.press('Enter');
  await expectTerminalLine(bob, 'held-key-42');

  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signInToGateway(alice, 'alice');
  await alice.locator('#open-audit').click();
  const bobsSession = alice.locator('#live-sessions-rows tr').filter({ hasText: 'deploy-box' });
  await expect(bobsSession).toHaveCount(1);
  await expect(bobsSession).toContainText('bob');
  await expect(bobsSession).toContainText('· attached ·');
  alice.once('dialog', (dialog) => {
    expect(dialog.message()).toBe(
      `End the session on deploy-box as ${stack.sshd.user}? Its shell and everything running in it will be closed.`,
    );
    void dialog.accept();
  });
  await bobsSession.locator('[data-end-session]').click();
  await expect(alice.locator('#live-sessions-summary')).toContainText(
    `Ended bob's session on deploy-box as ${stack.sshd.user}.`,
  );
  await expect(alice.locator('#live-sessions-rows tr').filter({ hasText: 'deploy-box' })).toHaveCount(0);

  await expect(bob.locator('#error')).toHaveText('This session was ended by alice (an administrator).');
  await expect(bob.locator('#back')).toBeVisible();

  // The audit trail has it (the newest deploy-box rows): how bob signed in, and who ended it.
  await alice.locator('#audit-target').fill('deploy-box');
  await alice.locator('#audit-apply').click();
  await expect(alice.locator('#audit-rows tr[data-kind="session-start"]').first()).toContainText(
    "the gateway's key",
  );
  await expect(alice.locator('#audit-rows tr[data-kind="session-end"]').first()).toContainText(
    'ended by alice',
  );
  await aliceContext.close();
  await bobContext.close();
});
