import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({
    targets: [
      pinnedTarget(sshd),
      pinnedTarget(sshd, { name: 'keys-only', authMethods: ['publickey'] }),
      pinnedTarget(sshd, { name: 'fixed-user', user: sshd.user }),
    ],
  }));
});
afterAll(() => gateway?.stop());

async function expectShell(client: Awaited<ReturnType<GatewayUnderTest['connect']>>) {
  const opened = await client.message('opened');
  expect(opened.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  client.type('echo $((6*7))\r');
  await client.outputMatching(/^42\r?$/m);
}

describe('signing in to a target', () => {
  it('works with a password', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
    });
    await expectShell(client);
  });

  it('works with a private key', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'keys-only',
      username: gateway.sshd.user,
      auth: { method: 'publickey', privateKey: gateway.sshd.privateKey },
    });
    await expectShell(client);
  });

  it('works with an encrypted private key and its passphrase', async () => {
    const client = await gateway.connect();
    const { encryptedPrivateKey: privateKey, passphrase } = gateway.sshd;
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'publickey', privateKey, passphrase },
    });
    await expectShell(client);
  });

  it('relays keyboard-interactive prompts from PAM and sends the answers', async () => {
    const client = await gateway.connect();
    client.open({ target: 'fixture', username: gateway.sshd.user, auth: { method: 'keyboard-interactive' } });
    const prompt = await client.message('auth-prompt');
    expect(prompt.prompts).toEqual([{ prompt: expect.stringMatching(/password/i), echo: false }]);
    client.send({ type: 'auth-answers', answers: [gateway.sshd.password] });
    await expectShell(client);
  });

  it('says a cancelled prompt is a cancelled sign-in, not a lost connection, and audits it', async () => {
    const client = await gateway.connect();
    client.open({ target: 'fixture', username: gateway.sshd.user, auth: { method: 'keyboard-interactive' } });
    await client.message('auth-prompt');
    client.send({ type: 'close' });
    expect(await client.message('error')).toEqual({
      type: 'error',
      code: 'SIGN_IN_CANCELLED',
      message: 'Sign-in cancelled; no session was opened.',
      fatal: true,
    });
    expect(await client.closed()).toBe(4000);
    const refusals = (await gateway.audit.query({ kind: 'session-refused' })).map((row) => row.event);
    expect(refusals).toContainEqual(
      expect.objectContaining({ target: 'fixture', code: 'SIGN_IN_CANCELLED' }),
    );
  });

  it('uses the user the operator fixed, whatever the browser sends', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'fixed-user',
      username: 'root',
      auth: { method: 'password', password: gateway.sshd.password },
    });
    await client.message('opened');
    client.type('id -un\r');
    await client.outputMatching(new RegExp(`^${gateway.sshd.user}\\r?$`, 'm'));
  });

  it('says "permission denied" for a wrong password and ends only that session', async () => {
    const bystander = await gateway.connect();
    bystander.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
    });
    await bystander.message('opened');

    const client = await gateway.connect();
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: 'wrong' },
    });
    const error = await client.message('error', 15_000);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', fatal: true });
    expect(error.message).toMatch(/^Permission denied: \[127\.0\.0\.1\]:\d+ did not accept the credentials/);
    await client.closed();

    bystander.type('echo still-here\r');
    await bystander.outputMatching(/^still-here\r?$/m);
  });

  it('says why a key with a wrong passphrase cannot be used, without contacting the target', async () => {
    const client = await gateway.connect();
    const { encryptedPrivateKey: privateKey } = gateway.sshd;
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'publickey', privateKey, passphrase: 'not it' },
    });
    expect(await client.message('error')).toMatchObject({ code: 'KEY_PASSPHRASE', fatal: true });
  });

  it('says a pasted text is not a key', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'publickey', privateKey: 'hello' },
    });
    expect(await client.message('error')).toMatchObject({ code: 'KEY_INVALID', fatal: true });
  });

  it('refuses a method the target does not allow', async () => {
    const client = await gateway.connect();
    client.open({
      target: 'keys-only',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
    });
    expect(await client.message('error')).toMatchObject({ code: 'AUTH_METHOD_NOT_ALLOWED', fatal: true });
  });
});
