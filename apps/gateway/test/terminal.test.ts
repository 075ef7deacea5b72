import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({ targets: [pinnedTarget(sshd)] }));
});
afterAll(() => gateway?.stop());

async function openShell(size = { cols: 80, rows: 24 }) {
  const client = await gateway.connect();
  client.open({
    target: 'fixture',
    username: gateway.sshd.user,
    auth: { method: 'password', password: gateway.sshd.password },
    ...size,
  });
  await client.message('opened');
  return client;
}

describe('the terminal', () => {
  it('runs a PTY with TERM=xterm-256color at the size the browser asked for', async () => {
    const client = await openShell({ cols: 100, rows: 30 });
    client.type('echo "term=$TERM size=$(stty size)"\r');
    await client.outputMatching(/^term=xterm-256color size=30 100\r?$/m);
  });

  it('follows a resize with a window-change', async () => {
    const client = await openShell();
    client.send({ type: 'resize', cols: 132, rows: 43 });
    client.type('stty size\r');
    await client.outputMatching(/^43 132\r?$/m);
  });

  it('carries UTF-8 both ways, wide characters and emoji included', async () => {
    const client = await openShell();
    client.type("printf '%s\\n' 'Grüße 漢字 🙂' | od -An -tx1 | tr -d ' \\n'; echo\r");
    const expected = Buffer.from('Grüße 漢字 🙂\n', 'utf8').toString('hex');
    await client.outputMatching(new RegExp(`^${expected}\\r?$`, 'm'));
    client.type("printf '\\xe6\\xbc\\xa2\\xf0\\x9f\\x99\\x82\\n'\r");
    await client.outputMatching(/^漢🙂\r?$/m);
  });

  it('is binary-safe: every byte value arrives unchanged', async () => {
    const client = await openShell();
    // Raw mode so the PTY does not translate CR/LF; the markers are printed in two halves so
    // the echoed command line cannot be mistaken for them.
    client.type(
      'stty raw -echo; printf %s%s BEG IN; for i in $(seq 0 255); do printf "\\\\$(printf %03o $i)"; done; printf %s%s EN D; stty sane\r',
    );
    const payload = await client.until('the 256 bytes between the markers', () => {
      const bytes = client.bytes();
      const begin = bytes.indexOf('BEGIN');
      const end = begin < 0 ? -1 : bytes.indexOf('END', begin + 5 + 256);
      return end < 0 ? undefined : bytes.subarray(begin + 5, end);
    });
    expect(payload.length).toBe(256);
    expect([...payload]).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  it('reports the remote exit status and ends the session cleanly', async () => {
    const client = await openShell();
    client.type('exit 3\r');
    expect(await client.message('exit')).toEqual({ type: 'exit', code: 3, signal: null });
    expect(await client.closed()).toBe(4000);
  });

  it('reports a shell killed by a signal', async () => {
    const client = await openShell();
    // An interactive bash ignores TERM; KILL it cannot.
    client.type('kill -KILL $$\r');
    expect(await client.message('exit')).toMatchObject({ code: null, signal: 'SIGKILL' });
  });
});

describe('bad input from a browser', () => {
  it('answers malformed and oversized messages with errors and keeps the session', async () => {
    const client = await openShell();
    const bystander = await openShell();

    client.sendRaw('{"type": "resize", "cols": "wide"', false);
    client.sendRaw(JSON.stringify({ type: 'explode' }), false);
    client.sendRaw(JSON.stringify({ type: 'resize', cols: 0, rows: 0 }), false);
    client.sendRaw(JSON.stringify({ type: 'auth-answers', answers: ['x'.repeat(70_000)] }), false);
    client.sendRaw(Buffer.alloc(70_000, 0x61), true);
    client.send({ type: 'host-key-decision', accept: true });

    const errors = await client.until('six errors', () => {
      const found = client.messages.filter((m) => m.type === 'error');
      return found.length >= 6 ? found : undefined;
    });
    expect(errors.map((e) => (e.type === 'error' ? [e.code, e.fatal] : []))).toEqual([
      ['BAD_MESSAGE', false],
      ['BAD_MESSAGE', false],
      ['BAD_MESSAGE', false],
      ['MESSAGE_TOO_LARGE', false],
      ['MESSAGE_TOO_LARGE', false],
      ['UNEXPECTED_MESSAGE', false],
    ]);

    client.type('echo $((6*7))\r');
    await client.outputMatching(/^42\r?$/m);
    bystander.type('echo $((7*6))\r');
    await bystander.outputMatching(/^42\r?$/m);
  });

  it('closes only the offending socket when a frame exceeds the hard cap', async () => {
    const client = await openShell();
    const bystander = await openShell();
    client.sendRaw(Buffer.alloc(2 * 1024 * 1024), true);
    expect(await client.closed()).toBe(1009);
    bystander.type('echo fine\r');
    await bystander.outputMatching(/^fine\r?$/m);
  });

  it('refuses a protocol version it does not speak', async () => {
    const client = await gateway.connect();
    client.send({
      type: 'open',
      protocol: 99,
      target: 'fixture',
      auth: { method: 'keyboard-interactive' },
      cols: 80,
      rows: 24,
    });
    expect(await client.message('error')).toMatchObject({ code: 'PROTOCOL_VERSION', fatal: true });
    expect(await client.closed()).toBe(4001);
  });

  it('refuses a cross-origin WebSocket upgrade', async () => {
    await expect(gateway.connect({ origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
  });
});
