import { setTimeout as sleep } from 'node:timers/promises';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from '../support/gateway-under-test.js';

/**
 * A replica writes a new session to the directory after its shell has opened and before the
 * session listens to it: whatever the shell printed meanwhile, its prompt most often, was lost,
 * and the page stayed blank. A database slowed by load (or fsync) was enough; the bench's
 * sessions-per-replica figure found it.
 */
let db: PostgresFixture;
let sshd: SshdFixture;
let replica: GatewayUnderTest;

beforeAll(async () => {
  [db, sshd] = await Promise.all([startPostgres(), startSshd()]);
  replica = await startGateway(() => ({ cluster: { databaseUrl: db.url }, targets: [pinnedTarget(sshd)] }), {
    sshd,
  });
}, 90_000);
afterAll(async () => {
  await replica?.stop();
  await Promise.all([sshd?.stop(), db?.stop()]);
});

it('shows the prompt the shell printed while its directory entry was being written', async () => {
  // One client holds the lock; another watches, since a transaction sees pg_stat_activity frozen.
  const blocker = new pg.Client({ connectionString: db.url });
  const watcher = new pg.Client({ connectionString: db.url });
  await Promise.all([blocker.connect(), watcher.connect()]);
  try {
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE live_sessions IN EXCLUSIVE MODE');
    const page = await replica.connect({ cookie: await replica.browserCookie() });
    page.open({
      target: 'fixture',
      username: sshd.user,
      auth: { method: 'password', password: sshd.password },
    });
    await eventually(
      'the directory insert to wait for the lock',
      async () => {
        const { rows } = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO live_sessions%'`,
        );
        return rows.length > 0;
      },
      30_000,
    );
    // sshd sends the prompt within milliseconds of the channel opening, which came before the
    // insert: held a second longer, the write surely outlasts it (the fixed code passes either way).
    await sleep(1_000);
    await blocker.query('COMMIT');
    await page.message('opened');
    await page.outputMatching(/\$ $/);
    expect(page.closeCode).toBeUndefined();
  } finally {
    await Promise.all([blocker.end(), watcher.end()]);
  }
});
