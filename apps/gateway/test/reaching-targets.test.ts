import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

/** A loopback port with nothing listening: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let gateway: GatewayUnderTest;
let deadPort: number;

beforeAll(async () => {
  deadPort = await closedPort();
  gateway = await startGateway((sshd) => ({
    targets: [
      pinnedTarget(sshd),
      { name: 'nobody-home', host: '127.0.0.1', port: deadPort, hostKeys: { trustOnFirstUse: true } },
    ],
    // Free-form hosts: only inside 127.0.0.0/8, only on port 22 and the fixture's port.
    freeFormTargets: {
      allow: ['127.0.0.0/8'],
      ports: [22, sshd.port],
      hostKeys: { pins: sshd.hostKeys.map((k) => k.publicKey) },
    },
  }));
});
afterAll(() => gateway?.stop());

const password = () => ({ method: 'password' as const, password: gateway.sshd.password });

describe('reaching targets', () => {
  it('lists the allowlisted targets, without hosts, and the free-form entry', async () => {
    const response = await fetch(`${gateway.baseUrl}/api/targets`);
    expect(await response.json()).toEqual([
      { name: 'fixture', label: 'fixture', authMethods: ['password', 'publickey', 'keyboard-interactive'] },
      {
        name: 'nobody-home',
        label: 'nobody-home',
        authMethods: ['password', 'publickey', 'keyboard-interactive'],
      },
      {
        name: '*',
        label: 'Another host…',
        authMethods: ['password', 'publickey', 'keyboard-interactive'],
        freeForm: { ports: [22, gateway.sshd.port] },
      },
    ]);
  });

  it('refuses a target that is not in the allowlist', async () => {
    const client = await gateway.connect();
    client.open({ target: 'somewhere-else', username: 'x', auth: password() });
    const error = await client.message('error');
    expect(error).toMatchObject({ code: 'TARGET_NOT_ALLOWED', fatal: true });
    expect(error.message).toBe('"somewhere-else" is not a target this gateway allows.');
  });

  it('says the connection was refused on a closed port, as ssh(1) does', async () => {
    const client = await gateway.connect();
    client.open({ target: 'nobody-home', username: 'x', auth: password() });
    const error = await client.message('error');
    expect(error).toMatchObject({ code: 'CONNECT_REFUSED', fatal: true });
    expect(error.message).toBe(`ssh: connect to host 127.0.0.1 port ${deadPort}: Connection refused`);
  });

  it('refuses a free-form port outside the allowed ports before dialling', async () => {
    const client = await gateway.connect();
    client.open({
      target: '*',
      address: { host: '127.0.0.1', port: deadPort },
      username: 'x',
      auth: password(),
    });
    expect(await client.message('error')).toMatchObject({ code: 'TARGET_NOT_ALLOWED' });
  });

  it('reaches a free-form host inside the allowlist', async () => {
    const client = await gateway.connect();
    const address = { host: 'localhost', port: gateway.sshd.port };
    client.open({ target: '*', address, username: gateway.sshd.user, auth: password() });
    expect(await client.message('opened')).toMatchObject({ target: `localhost:${gateway.sshd.port}` });
  });
});

describe('free-form targets outside the allowlist', () => {
  let narrow: GatewayUnderTest;
  beforeAll(async () => {
    narrow = await startGateway(() => ({
      freeFormTargets: { allow: ['127.0.0.2/32'], ports: [22], hostKeys: { trustOnFirstUse: true } },
    }));
  });
  afterAll(() => narrow?.stop());

  it('refuses a host whose address is outside the CIDR allowlist', async () => {
    const client = await narrow.connect();
    client.open({ target: '*', address: { host: 'localhost', port: 22 }, username: 'x', auth: password() });
    const error = await client.message('error');
    expect(error).toMatchObject({ code: 'TARGET_NOT_ALLOWED' });
    expect(error.message).toBe('"localhost:22" is not a target this gateway allows.');
  });
});
