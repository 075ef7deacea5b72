import { type HaproxyFixture, PIN_HEADER, startHaproxy } from '@vigil/test-haproxy';
import { type PostgresFixture, startPostgres } from '@vigil/test-postgres';
import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import { ProtocolClient } from './support/protocol-client.js';

let db: PostgresFixture;
let sshd: SshdFixture;
let balancer: HaproxyFixture;
const replicas: GatewayUnderTest[] = [];
const NAMES = ['r1', 'r2', 'r3'];

beforeAll(async () => {
  [db, sshd] = await Promise.all([startPostgres(), startSshd()]);
  for (const _ of NAMES) {
    replicas.push(
      await startGateway(() => ({ cluster: { databaseUrl: db.url }, targets: [pinnedTarget(sshd)] }), {
        sshd,
      }),
    );
  }
  balancer = await startHaproxy({
    backends: replicas.map((replica, i) => ({ name: NAMES[i] ?? '', url: replica.baseUrl })),
    checkIntervalMs: 200,
  });
  await Promise.all(NAMES.map((name) => balancer.untilServerStatus(name, 'UP')));
}, 120_000);
afterAll(async () => {
  await balancer?.stop();
  await Promise.all(replicas.map((replica) => replica.stop()));
  await Promise.all([sshd?.stop(), db?.stop()]);
});

const wsUrl = () => `${balancer.url.replace('http', 'ws')}/ws`;

describe('three replicas behind HAProxy', { timeout: 60_000 }, () => {
  it('opens through the balancer, then reattaches through each other replica with every byte', async () => {
    // The identity cookie comes through the balancer too: any replica knows the browser by it.
    const cookie =
      (await fetch(`${balancer.url}/api/targets`)).headers.get('set-cookie')?.split(';')[0] ?? '';
    const opener = await ProtocolClient.connect(wsUrl(), { cookie });
    opener.open({
      target: 'fixture',
      username: sshd.user,
      auth: { method: 'password', password: sshd.password },
    });
    const { sessionId } = await opener.message('opened');
    opener.type('seq 1 5000; echo through-the-balancer\r');
    await opener.outputMatching(/^through-the-balancer\r?$/m);
    const seen = Buffer.from(opener.bytes());
    opener.close();

    const owner = replicas.findIndex((replica) => replica.registry.size > 0);
    expect(owner).toBeGreaterThanOrEqual(0);
    const others = NAMES.filter((_, i) => i !== owner);
    expect(others).toHaveLength(2);
    for (const name of others) {
      const page = await ProtocolClient.connect(wsUrl(), { cookie, [PIN_HEADER]: name });
      page.attach(sessionId, 0);
      expect(await page.message('attached')).toMatchObject({ sessionId, position: 0 });
      await page.until('the whole replay', () => page.bytes().length >= seen.length);
      expect(page.bytes().subarray(0, seen.length).equals(seen)).toBe(true);
      page.type(`echo via-${name}\r`);
      await page.outputMatching(new RegExp(`^via-${name}\\r?$`, 'm'));
      const health = await page.until('health with the hop', () =>
        page.messages.find((m) => m.type === 'health' && m.hop !== undefined),
      );
      expect(health).toMatchObject({ type: 'health', hop: { state: expect.any(String) } });
      page.close();
      await page.closed();
    }
    // Only the owner ever held the session.
    expect(replicas.map((replica) => replica.registry.size)).toEqual(
      NAMES.map((_, i) => (i === owner ? 1 : 0)),
    );
  });
});
