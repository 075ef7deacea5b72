import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { AuditLog } from '../src/audit/audit-log.js';
import { hashPassword } from '../src/auth/password-hash.js';
import { configSchema } from '../src/config/config-schema.js';

/** The balancer in front, as deploy/haproxy.cfg and deploy/nginx.conf set the headers. */
const BALANCER = '10.0.0.2';
const ELSEWHERE = '10.0.0.9';

let dataDir: string;
let app: Awaited<ReturnType<typeof buildApp>>['app'];
let audit: AuditLog;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-data-'));
  const passwordHash = await hashPassword('alice-pw');
  const config = configSchema.parse({
    dataDir,
    listen: { trustProxy: [`${BALANCER}/32`] },
    auth: { local: { users: [{ name: 'alice', passwordHash }] } },
  });
  ({ app, audit } = await buildApp(config, { logger: false }));
});
afterAll(async () => {
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const signIn = (peer: string, client: string, name: string) =>
  app.inject({
    method: 'POST',
    url: '/api/login',
    remoteAddress: peer,
    headers: { 'x-forwarded-for': client, 'content-type': 'application/json' },
    payload: { name, password: 'wrong' },
  });

describe('behind a balancer named in listen.trustProxy', () => {
  it("marks cookies Secure when the balancer says the browser's request came over HTTPS, from it only", async () => {
    const cookieFrom = async (peer: string) =>
      (await app.inject({ url: '/healthz', remoteAddress: peer, headers: { 'x-forwarded-proto': 'https' } }))
        .headers['set-cookie'];
    expect(await cookieFrom(BALANCER)).toMatch(/; Secure/);
    expect(await cookieFrom(ELSEWHERE)).not.toMatch(/; Secure/);
  });

  it("audits the browser's address, not the balancer's; a forged header from elsewhere counts for nothing", async () => {
    await signIn(BALANCER, '203.0.113.7', 'audited-1');
    await signIn(ELSEWHERE, '203.0.113.8', 'audited-2');
    const sources = (await audit.query({ kind: 'sign-in' }))
      .map((row) => row.event)
      .filter((event) => event.kind === 'sign-in' && event.user.startsWith('audited-'))
      .map((event) => event.kind === 'sign-in' && [event.user, event.source]);
    expect(sources).toEqual([
      ['audited-1', '203.0.113.7'],
      ['audited-2', ELSEWHERE],
    ]);
  });

  it('limits sign-in attempts per browser address, not for everyone behind the balancer at once', async () => {
    // Ten attempts a minute per address: eleven browsers behind the balancer are eleven addresses.
    const viaBalancer = [];
    for (let i = 0; i < 11; i++)
      viaBalancer.push((await signIn(BALANCER, `198.51.100.${i}`, `via-${i}`)).statusCode);
    expect(viaBalancer.filter((status) => status === 429)).toEqual([]);
    // One peer that is not the balancer is one address, whatever it claims (one attempt made above).
    const direct = [];
    for (let i = 0; i < 10; i++)
      direct.push((await signIn(ELSEWHERE, `198.51.100.${i}`, `direct-${i}`)).statusCode);
    expect(direct.slice(-1)).toEqual([429]);
  });
});
