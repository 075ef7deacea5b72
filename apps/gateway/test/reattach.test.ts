import { FLOW_CONTROL } from '@vigil/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';
import type { ProtocolClient } from './support/protocol-client.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWith(sessions: Record<string, unknown>) {
  const gateway = await startGateway((sshd) => ({ targets: [pinnedTarget(sshd)], sessions }));
  cleanups.push(() => gateway.stop());
  return gateway;
}

async function sessionsOf(
  gateway: GatewayUnderTest,
  cookie: string,
): Promise<{ sessionId: string; attached: boolean }[]> {
  return (await fetch(`${gateway.baseUrl}/api/sessions`, { headers: { cookie } })).json() as Promise<
    { sessionId: string; attached: boolean }[]
  >;
}

async function openSession(gateway: GatewayUnderTest, cookie: string): Promise<ProtocolClient> {
  const client = await gateway.connect({ cookie }, 64 * 1024 * 1024);
  const { user, password } = gateway.sshd;
  client.open({ target: 'fixture', username: user, auth: { method: 'password', password } });
  await client.message('opened');
  return client;
}

/** `seq 1 N` between two markers, as the PTY prints it (onlcr turns \n into \r\n). */
function seqCommand(n: number) {
  // Markers printed in halves so the echoed command line cannot be mistaken for them.
  return `stty -echo; printf '%s%s\\n' BEG IN; seq 1 ${n}; printf '%s%s\\n' EN D\r`;
}
function expectedSeq(n: number) {
  return Array.from({ length: n }, (_, i) => `${i + 1}\r\n`).join('');
}
function between(output: Buffer) {
  const text = output.toString('latin1');
  const begin = text.indexOf('BEGIN\r\n');
  const end = text.indexOf('END\r\n', begin);
  return begin < 0 || end < 0 ? undefined : text.slice(begin + 'BEGIN\r\n'.length, end);
}

describe('reattach and replay', () => {
  it('replays exactly the bytes a dropped browser missed, losslessly past the buffer size', async () => {
    // A buffer much smaller than the output: the remote must wait rather than lose anything.
    const gateway = await gatewayWith({ replayBuffer: 512 * 1024, overflow: 'pause' });
    const cookie = await gateway.browserCookie();
    const first = await openSession(gateway, cookie);
    const sessionId = (await first.message('opened')).sessionId;

    first.type(seqCommand(400_000)); // about 2.6 MB of output
    await first.until('some output', () => first.outputBytes > 200_000);
    first.socket.terminate(); // the laptop lid closes mid-stream
    const droppedAt = first.position;

    // While nobody is attached the session keeps the shell. Give the remote time to produce more
    // than the buffer holds, so the channel has to pause (the assertions hold either way).
    await eventually(
      'the session to notice the drop',
      async () => (await sessionsOf(gateway, cookie))[0]?.attached === false,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    const second = await gateway.connect({ cookie }, 64 * 1024 * 1024);
    const reattachStarted = performance.now();
    second.attach(sessionId, droppedAt);
    const attached = await second.message('attached');
    process.stdout.write(
      `[measured] reattach: attached ${(performance.now() - reattachStarted).toFixed(1)} ms after the attach request\n`,
    );
    expect(attached).toMatchObject({ sessionId, position: droppedAt, lostBytes: 0 });
    await second.outputMatching(/END\r\n/, 30_000);

    const whole = Buffer.concat([first.bytes().subarray(0, droppedAt), second.bytes()]);
    expect(between(whole)).toBe(expectedSeq(400_000));
  });

  it('under drop-oldest, says exactly how many bytes were lost and then carries on with the newest', async () => {
    const gateway = await gatewayWith({ replayBuffer: 512 * 1024, overflow: 'drop-oldest' });
    const cookie = await gateway.browserCookie();
    const first = await openSession(gateway, cookie);
    const sessionId = (await first.message('opened')).sessionId;
    const droppedAt = first.position;
    first.socket.terminate();

    // Written while detached: more than the buffer holds.
    const probe = await gateway.connect({ cookie });
    probe.attach(sessionId, droppedAt);
    await probe.message('attached');
    probe.type(`${seqCommand(300_000).replace('\r', '')}; sleep 0.1\r`);
    await probe.until('the command to be sent', () => probe.outputBytes > 0);
    probe.socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const second = await gateway.connect({ cookie }, 64 * 1024 * 1024);
    second.attach(sessionId, droppedAt);
    const attached = await second.message('attached');
    expect(attached.lostBytes).toBeGreaterThan(0);
    expect(attached.position).toBe(droppedAt + attached.lostBytes);
    await second.outputMatching(/END\r\n/, 30_000);
    // What arrived is the newest output, contiguous up to the end of the sequence.
    expect(second.text()).toContain('299999\r\n300000\r\nEND\r\n');
  });

  it('closes the shell when the grace period runs out, and records why', async () => {
    const gateway = await gatewayWith({ detachedGrace: 0.3 });
    const cookie = await gateway.browserCookie();
    const first = await openSession(gateway, cookie);
    const sessionId = (await first.message('opened')).sessionId;
    expect(await gateway.sshd.connectionPids()).not.toEqual([]);
    first.socket.terminate();

    const detachedAt = performance.now();
    await eventually(
      'the session to be closed',
      async () => (await sessionsOf(gateway, cookie)).length === 0,
      3000,
    );
    expect(performance.now() - detachedAt).toBeGreaterThanOrEqual(250);
    const late = await gateway.connect({ cookie });
    late.attach(sessionId, 0);
    expect(await late.message('error')).toMatchObject({ code: 'SESSION_NOT_FOUND', fatal: true });
    // The SSH session was really closed on the target.
    await eventually(
      'sshd to end the connection',
      async () => (await gateway.sshd.connectionPids()).length === 0,
      3000,
    );
    const [end] = await gateway.audit.query({ sessionId, kind: 'session-end' });
    expect(end?.event).toMatchObject({
      end: { reason: 'closed', detail: 'no browser came back within the grace period' },
    });
  });

  it("refuses to attach another browser's session and hides it from their list", async () => {
    const gateway = await gatewayWith({});
    const owner = await gateway.browserCookie();
    const stranger = await gateway.browserCookie();
    expect(stranger).not.toBe(owner);
    const client = await openSession(gateway, owner);
    const sessionId = (await client.message('opened')).sessionId;

    expect(await sessionsOf(gateway, stranger)).toEqual([]);
    expect(await sessionsOf(gateway, owner)).toMatchObject([{ sessionId, attached: true }]);
    for (const headers of [{ cookie: stranger }, {} as Record<string, string>]) {
      const intruder = await gateway.connect(headers);
      intruder.attach(sessionId, 0);
      expect(await intruder.message('error')).toMatchObject({ code: 'SESSION_NOT_FOUND', fatal: true });
    }
    client.type('echo untouched\r');
    await client.outputMatching(/^untouched\r?$/m);
  });

  it('lets the owner take a session over from another tab', async () => {
    const gateway = await gatewayWith({});
    const cookie = await gateway.browserCookie();
    const firstTab = await openSession(gateway, cookie);
    const sessionId = (await firstTab.message('opened')).sessionId;
    const secondTab = await gateway.connect({ cookie });
    secondTab.attach(sessionId, null);
    await secondTab.message('attached');
    expect(await firstTab.message('error')).toMatchObject({ code: 'SESSION_TAKEN_OVER', fatal: true });
    secondTab.type('echo moved\r');
    await secondTab.outputMatching(/^moved\r?$/m);
  });
});

describe('flow control', () => {
  it('stops reading the channel when the browser stops acknowledging, losing nothing', async () => {
    const gateway = await gatewayWith({});
    const client = await openSession(gateway, await gateway.browserCookie());
    client.autoAck = false;
    client.type(seqCommand(400_000));
    // Without acks nothing is measured: the gateway sends the initial window, at most one more
    // SSH packet (the chunk that crossed it), then waits; the replay buffer holds what follows.
    await client.until('the window to fill', () => client.outputBytes > FLOW_CONTROL.initialWindow);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalledAt = client.outputBytes;
    expect(stalledAt).toBeLessThanOrEqual(FLOW_CONTROL.initialWindow + 32 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.outputBytes).toBe(stalledAt);

    client.autoAck = true;
    client.send({ type: 'ack', position: client.position });
    await client.outputMatching(/END\r\n/, 30_000);
    expect(between(client.bytes())).toBe(expectedSeq(400_000));
  });

  it('refuses an ack beyond the output and one that goes back; the session stays bounded, others untouched', async () => {
    const gateway = await gatewayWith({});
    const cookie = await gateway.browserCookie();
    const client = await openSession(gateway, cookie);
    const other = await openSession(gateway, cookie);
    client.autoAck = false;
    client.type('echo ready\r');
    await client.outputMatching(/^ready\r?$/m);
    const errors = () => client.messages.filter((m) => m.type === 'error');
    const acked = client.outputBytes;
    client.send({ type: 'ack', position: acked + 1_000_000 });
    await client.until('the refusal', () => errors().length === 1);
    expect(errors()[0]).toMatchObject({ code: 'BAD_MESSAGE', fatal: false });
    expect(errors()[0]?.message).toContain(`ack beyond the output sent (${acked + 1_000_000} > `);
    client.send({ type: 'ack', position: acked });
    client.send({ type: 'ack', position: acked - 1 });
    await client.until('the second refusal', () => errors().length === 2);
    expect(errors()[1]?.message).toContain(`ack before an earlier one (${acked - 1} < ${acked})`);

    // Neither refused ack made room: the flood stops one window (and one packet) past the last good one.
    client.type(seqCommand(400_000));
    await client.until('the window to fill', () => client.outputBytes > acked + FLOW_CONTROL.initialWindow);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.outputBytes).toBeLessThanOrEqual(acked + FLOW_CONTROL.initialWindow + 32 * 1024);
    other.type('echo untouched\r');
    await other.outputMatching(/^untouched\r?$/m);

    client.autoAck = true;
    client.send({ type: 'ack', position: client.position });
    await client.outputMatching(/END\r\n/, 30_000);
    expect(between(client.bytes())).toBe(expectedSeq(400_000));
  });
});
