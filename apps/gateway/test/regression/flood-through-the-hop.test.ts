import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from '../support/gateway-under-test.js';

/**
 * The owner gathered a flood's output into frames of up to 1 MiB plus one more SSH packet, and
 * the relaying replica reads the hop with the protocol's 1 MiB frame cap: mid-flood the hop
 * closed (1009) and so did the page's socket (1013), to reattach into the same flood. Found by
 * the bench's forwarded-attach throughput figure.
 */
let db: PostgresFixture;
let sshd: SshdFixture;
let owner: GatewayUnderTest;
let relay: GatewayUnderTest;

beforeAll(async () => {
  [db, sshd] = await Promise.all([startPostgres(), startSshd()]);
  const replica = () =>
    startGateway(() => ({ cluster: { databaseUrl: db.url }, targets: [pinnedTarget(sshd)] }), { sshd });
  owner = await replica();
  relay = await replica();
}, 90_000);
afterAll(async () => {
  await Promise.all([owner?.stop(), relay?.stop()]);
  await Promise.all([sshd?.stop(), db?.stop()]);
});

it('carries a flood through the hop to its last byte', { timeout: 60_000 }, async () => {
  const cookie = await owner.browserCookie();
  const opener = await owner.connect({ cookie });
  opener.open({
    target: 'fixture',
    username: sshd.user,
    auth: { method: 'password', password: sshd.password },
  });
  const { sessionId } = await opener.message('opened');
  const page = await relay.connect({ cookie }, 64 * 1024);
  page.attach(sessionId, null);
  await page.message('attached');
  // 32 MiB without a newline: sshd reads the PTY as fast as it can, the owner's frames fill up.
  page.type('stty raw -echo; head -c 33554432 /dev/zero | tr "\\0" x; echo; echo flood-$((6*7))-done\r');
  const done = /flood-42-done/;
  await page.until(
    'the end of the flood, or the socket closing',
    () => page.closeCode !== undefined || done.test(page.text()),
    50_000,
  );
  expect(page.closeCode).toBeUndefined();
  expect(page.text()).toMatch(done);
  expect(page.outputBytes).toBeGreaterThan(32 * 1024 * 1024);
});
