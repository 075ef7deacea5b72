import { FLOW_CONTROL, PROTOCOL_VERSION } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { FakePage, GatewaySide } from './fake-page.test-support.js';
import { openMessage } from './open-message.js';
import { DRAIN_ACK_DELAY_MS } from './output-acks.js';
import {
  ATTACH_TIMEOUT_MS,
  MAX_OPEN_RETRIES,
  MAX_QUEUED_INPUT_BYTES,
  OPEN_RETRY_BACKOFF,
  type ReconnectEnvironment,
  ResumableSession,
  type ResumableSessionEvents,
  type SessionStart,
} from './resumable-session.js';

const opened = { type: 'opened', sessionId: 's1', target: 'demo', username: 'alice' };
const attached = (position: number, lostBytes = 0) => ({ ...opened, type: 'attached', position, lostBytes });
const open: SessionStart = {
  kind: 'open',
  message: openMessage({ target: 'demo', auth: { method: 'keyboard-interactive' } }, { cols: 80, rows: 24 }),
};

/**
 * A page with a gateway behind it: every connection the session makes is a new GatewaySide.
 * Parsing is by hand: `parseAll` runs the write callbacks xterm.js would run.
 */
function startSession(start: SessionStart = open, react: { attached?: () => void } = {}) {
  const page = new FakePage();
  const sockets: GatewaySide[] = [];
  const networkListeners = new Set<(online: boolean) => void>();
  const reconnect: ReconnectEnvironment = {
    setTimeout: (callback, ms) => page.setTimeout(callback, ms),
    clearTimeout: (handle) => page.clearTimeout(handle),
    // Half of each backoff window: 125 ms, 250 ms, 500 ms…
    random: () => 0.5,
    onNetworkChange(listener) {
      networkListeners.add(listener);
      return () => networkListeners.delete(listener);
    },
  };
  const seen: [string, unknown][] = [];
  const unparsed: (() => void)[] = [];
  const events = new Proxy({} as ResumableSessionEvents, {
    get: (_target, name: string) => (value: unknown, parsed?: () => void) => {
      seen.push([name, value]);
      if (parsed) unparsed.push(parsed);
      if (name === 'attached') react.attached?.();
    },
  });
  const session = new ResumableSession('ws://gateway/ws', start, events, {
    connect: () => {
      const socket = new GatewaySide();
      sockets.push(socket);
      return socket.asSocket();
    },
    watch: page,
    reconnect,
  });
  const socket = () => sockets.at(-1)!;
  return {
    page,
    session,
    seen,
    sockets,
    socket,
    names: () => seen.map(([name]) => name),
    network: (online: boolean) => {
      for (const listener of networkListeners) listener(online);
    },
    networkListeners,
    parseAll: () => {
      for (const parsed of unparsed.splice(0)) parsed();
    },
  };
}

/** Signed in and running, with `bytes` of output written and parsed. */
function runningSession(bytes = 0, react: { attached?: () => void } = {}) {
  const s = startSession(open, react);
  s.socket().accept();
  s.socket().json(opened);
  if (bytes > 0) s.socket().output('x'.repeat(bytes));
  s.parseAll();
  s.page.advance(DRAIN_ACK_DELAY_MS);
  return s;
}

const acksOf = (socket: GatewaySide) => socket.messages().filter((m) => m.type === 'ack');

describe('ResumableSession: acknowledgements', () => {
  it('acknowledges every ackEveryBytes (32 KiB) parsed, and the rest when the terminal has caught up', () => {
    const { socket, parseAll, page } = runningSession();
    for (let i = 0; i < 5; i++) socket().output('y'.repeat(30_000));
    expect(acksOf(socket())).toEqual([]);
    parseAll();
    const everyMark = [
      { type: 'ack', position: 60_000 },
      { type: 'ack', position: 120_000 },
    ];
    expect(acksOf(socket())).toEqual(everyMark);
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acksOf(socket())).toEqual([...everyMark, { type: 'ack', position: 150_000 }]);
  });

  it('keeps a stream paused at the smallest window moving: parsing it acks down to half, without the drain timer', () => {
    const { socket, parseAll, page } = runningSession();
    // The gateway stops after FLOW_CONTROL.windowFloor unacknowledged bytes at the least, in 16 KiB chunks,
    // and resumes once at most half of that is unacknowledged.
    for (let sent = 0; sent < FLOW_CONTROL.windowFloor; sent += 16 * 1024)
      socket().output('z'.repeat(16 * 1024));
    parseAll();
    const beforeDrain = acksOf(socket()).at(-1) as { position: number };
    expect(FLOW_CONTROL.windowFloor - beforeDrain.position).toBeLessThanOrEqual(FLOW_CONTROL.windowFloor / 2);
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acksOf(socket()).at(-1)).toEqual({ type: 'ack', position: FLOW_CONTROL.windowFloor });
  });
});

describe('ResumableSession: reconnecting', () => {
  it('reattaches after a drop from exactly the bytes written, and carries on from there', () => {
    const { socket, sockets, page, seen, names, parseAll, session } = runningSession(1000);
    socket().output('abc');
    socket().drop();
    expect(session.state).toBe('reconnecting');
    expect(seen.at(-1)).toEqual(['reconnecting', { attempt: 1, delayMs: 125 }]);
    page.advance(124);
    expect(sockets).toHaveLength(1);
    page.advance(1);
    socket().accept();
    expect(socket().messages()).toEqual([
      { type: 'attach', protocol: PROTOCOL_VERSION, sessionId: 's1', position: 1003 },
    ]);
    socket().json(attached(1003));
    expect(session.state).toBe('attached');
    expect(names().at(-1)).toBe('attached');
    socket().output('def');
    parseAll();
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acksOf(socket())).toEqual([{ type: 'ack', position: 1006 }]);
    expect(session.written).toBe(1006);
  });

  it('backs off with growing windows while the gateway cannot be reached, without end', () => {
    const { socket, sockets, page, seen } = runningSession();
    socket().drop();
    for (let attempt = 1; attempt <= 10; attempt++) {
      page.advance(10_000);
      socket().drop();
    }
    const delays = seen.filter(([name]) => name === 'reconnecting').map(([, r]) => r);
    expect(delays.map((r) => (r as { delayMs: number }).delayMs)).toEqual([
      125, 250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000,
    ]);
    expect(delays.map((r) => (r as { attempt: number }).attempt)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(sockets).toHaveLength(11);
  });

  it('counts again from the first attempt after a successful reattach', () => {
    const { socket, page, seen } = runningSession();
    socket().drop();
    page.advance(125);
    socket().drop();
    page.advance(250);
    socket().accept();
    socket().json(attached(0));
    socket().drop();
    expect(seen.at(-1)).toEqual(['reconnecting', { attempt: 1, delayMs: 125 }]);
  });

  it('tries at once when the browser comes back online', () => {
    const { socket, sockets, page, network } = runningSession();
    for (let i = 0; i < 6; i++) {
      socket().drop();
      page.advance(5000);
    }
    socket().drop();
    expect(sockets).toHaveLength(7);
    network(true);
    expect(sockets).toHaveLength(7);
    page.advance(0);
    expect(sockets).toHaveLength(8);
    // The abandoned wait does not start another attempt later.
    socket().accept();
    socket().json(attached(0));
    page.advance(60_000);
    expect(sockets).toHaveLength(8);
  });

  it('reattaches at once when the browser comes back online after being offline while attached', () => {
    const { socket, sockets, page, seen, session, network } = runningSession(500);
    // Going online without having been offline is no reason to doubt the connection.
    network(true);
    expect(sockets).toHaveLength(1);
    network(false);
    expect(session.state).toBe('attached');
    network(true);
    expect(sockets[0]?.closedWith).toBe(1000);
    expect(sockets[0]?.messages().map((m) => m.type)).not.toContain('close');
    expect(seen.at(-1)).toEqual(['reconnecting', { attempt: 1, delayMs: 0 }]);
    page.advance(0);
    socket().accept();
    expect(socket().messages()).toEqual([
      { type: 'attach', protocol: PROTOCOL_VERSION, sessionId: 's1', position: 500 },
    ]);
    socket().json(attached(500));
    network(true);
    expect(sockets).toHaveLength(2);
  });

  it('gives up on an attempt that hangs and schedules the next', () => {
    const { socket, sockets, page, seen } = runningSession();
    socket().drop();
    page.advance(125);
    socket().accept(); // open, but `attached` never comes
    page.advance(ATTACH_TIMEOUT_MS - 1);
    expect(sockets).toHaveLength(2);
    page.advance(1);
    expect(socket().closedWith).toBe(1000);
    // Abandoned, not hung up: the session must survive on the gateway.
    expect(
      socket()
        .messages()
        .map((m) => m.type),
    ).toEqual(['attach']);
    expect(seen.at(-1)).toEqual(['reconnecting', { attempt: 2, delayMs: 250 }]);
    page.advance(250);
    expect(sockets).toHaveLength(3);
  });

  it('reports a drop before the shell runs as lost, and does not reconnect', () => {
    const { socket, sockets, page, names, session } = startSession();
    socket().accept();
    socket().drop();
    expect(names()).toEqual(['lost']);
    expect(session.state).toBe('ended');
    page.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('ends when the session is gone, and does not try again', () => {
    const { socket, sockets, page, names, session, networkListeners } = runningSession();
    socket().drop();
    page.advance(125);
    socket().accept();
    socket().json({ type: 'error', code: 'SESSION_NOT_FOUND', message: 'gone', fatal: true });
    socket().drop(4000);
    expect(names().at(-1)).toBe('error');
    expect(session.state).toBe('ended');
    page.advance(60_000);
    expect(sockets).toHaveLength(2);
    expect(networkListeners.size).toBe(0);
  });

  it('does not come back after being taken over by another tab', () => {
    const { socket, sockets, page, session } = runningSession();
    socket().json({ type: 'error', code: 'SESSION_TAKEN_OVER', message: 'elsewhere', fatal: true });
    socket().drop(4000);
    expect(session.state).toBe('ended');
    page.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('does not reconnect after exit', () => {
    const { socket, sockets, page, names } = runningSession();
    socket().json({ type: 'exit', code: 0, signal: null });
    socket().drop(4000);
    page.advance(60_000);
    expect(names()).toEqual(['opened', 'exit']);
    expect(sockets).toHaveLength(1);
  });

  it('reconnects when the watchdog gives up on a silent gateway', () => {
    const { socket, sockets, page, seen } = runningSession();
    const health = {
      type: 'health',
      ssh: { state: 'live', missed: 0, countMax: 3, intervalMs: 1000 },
      browser: { state: 'live', missed: 0, countMax: 1, intervalMs: 1000 },
      tcpKeepAlive: true,
    };
    socket().json(health);
    // (1 + 1) × 1 s + 5 s of grace.
    page.advance(7000);
    expect(sockets[0]?.closedWith).toBe(1000);
    expect(seen.at(-1)?.[0]).toBe('reconnecting');
  });

  it('stops trying when the person hangs up while reconnecting', () => {
    const { socket, sockets, page, session } = runningSession();
    socket().drop();
    session.hangUp();
    expect(session.state).toBe('ended');
    page.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('hangs up an attached session by telling the gateway, and does not reconnect if the socket then drops', () => {
    const { socket, sockets, page, names, session } = runningSession();
    session.hangUp();
    expect(socket().messages().at(-1)).toEqual({ type: 'close' });
    socket().drop();
    page.advance(60_000);
    expect(names()).toEqual(['opened', 'lost']);
    expect(sockets).toHaveLength(1);
  });
});

describe('ResumableSession: input while reconnecting', () => {
  it('keeps what is typed and sends it after the reattach, after the page resized the terminal', () => {
    // The page answers `attached` with the terminal's size, as the session view does.
    const { socket, page, session } = runningSession(0, {
      attached: () => session.resize({ cols: 120, rows: 40 }),
    });
    socket().drop();
    session.sendInput('ls', 'text');
    session.sendInput('\r', 'text');
    page.advance(125);
    socket().accept();
    socket().json(attached(0));
    const sent = socket().sent.map((f) =>
      typeof f === 'string' ? JSON.parse(f).type : new TextDecoder().decode(f),
    );
    expect(sent).toEqual(['attach', 'resize', 'ls', '\r']);
  });

  it('drops a piece that does not fit the queue, whole, and says how large it was', () => {
    const { socket, page, session, seen } = runningSession();
    socket().drop();
    session.sendInput('a'.repeat(MAX_QUEUED_INPUT_BYTES - 1), 'text');
    session.sendInput('bc', 'text');
    session.sendInput('d', 'text');
    expect(seen.filter(([name]) => name === 'inputDropped')).toEqual([['inputDropped', 2]]);
    page.advance(125);
    socket().accept();
    socket().json(attached(0));
    expect(
      socket()
        .frames()
        .map((f) => f.byteLength),
    ).toEqual([MAX_QUEUED_INPUT_BYTES - 1, 1]);
  });

  it('drops input before the shell runs, as there is nothing to send it to yet', () => {
    const { socket, session, names } = startSession();
    socket().accept();
    session.sendInput('early', 'text');
    socket().json(opened);
    expect(socket().frames()).toEqual([]);
    expect(names()).toEqual(['opened']);
  });
});

describe('ResumableSession: a fresh page taking up a live session', () => {
  it('asks for what the gateway holds and counts from the position it starts at', () => {
    const { socket, page, parseAll, session } = startSession({ kind: 'attach', sessionId: 's1' });
    socket().accept();
    expect(socket().messages()).toEqual([
      { type: 'attach', protocol: PROTOCOL_VERSION, sessionId: 's1', position: null },
    ]);
    socket().json(attached(7000));
    socket().output('0123456789');
    parseAll();
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acksOf(socket())).toEqual([{ type: 'ack', position: 7010 }]);
    socket().drop();
    page.advance(125);
    socket().accept();
    expect(socket().messages()[0]).toMatchObject({ type: 'attach', position: 7010 });
    expect(session.state).toBe('reconnecting');
  });

  it('starts the count over after lost bytes, at the position the gateway resumes from', () => {
    const { socket, page, parseAll, session } = runningSession(100);
    socket().drop();
    page.advance(125);
    socket().accept();
    socket().json(attached(5000, 4900));
    socket().output('abc');
    parseAll();
    page.advance(DRAIN_ACK_DELAY_MS);
    expect(acksOf(socket())).toEqual([{ type: 'ack', position: 5003 }]);
    expect(session.written).toBe(5003);
  });

  it('treats a session that is not there as over', () => {
    const { socket, names, session } = startSession({ kind: 'attach', sessionId: 'nope' });
    socket().accept();
    socket().json({ type: 'error', code: 'SESSION_NOT_FOUND', message: 'gone', fatal: true });
    expect(names()).toEqual(['error']);
    expect(session.state).toBe('ended');
  });
});

describe('ResumableSession: an open refused by a draining replica', () => {
  const draining = { type: 'error', code: 'GATEWAY_DRAINING', message: 'restarting', fatal: true };

  it('sends the same open again after a short wait, and runs as usual once a replica takes it', () => {
    const { socket, sockets, page, seen, names, session } = startSession();
    socket().accept();
    const first = socket().messages();
    socket().json(draining);
    expect(seen.at(-1)).toEqual(['openRetrying', { attempt: 1, of: MAX_OPEN_RETRIES, delayMs: 250 }]);
    expect(session.state).toBe('connecting');
    page.advance(249);
    expect(sockets).toHaveLength(1);
    page.advance(1);
    socket().accept();
    expect(socket().messages()).toEqual(first);
    socket().json(opened);
    expect(session.state).toBe('attached');
    expect(names()).toEqual(['openRetrying', 'opened']);
  });

  it('gives up after MAX_OPEN_RETRIES tries and reports the refusal', () => {
    const { socket, sockets, page, seen, names, session } = startSession();
    for (let i = 0; i <= MAX_OPEN_RETRIES; i++) {
      socket().accept();
      socket().json(draining);
      page.advance(OPEN_RETRY_BACKOFF.capMs);
    }
    expect(sockets).toHaveLength(MAX_OPEN_RETRIES + 1);
    expect(seen.filter(([name]) => name === 'openRetrying').map(([, r]) => r)).toEqual([
      { attempt: 1, of: 6, delayMs: 250 },
      { attempt: 2, of: 6, delayMs: 500 },
      { attempt: 3, of: 6, delayMs: 1000 },
      { attempt: 4, of: 6, delayMs: 2000 },
      { attempt: 5, of: 6, delayMs: 2500 },
      { attempt: 6, of: 6, delayMs: 2500 },
    ]);
    expect(names().at(-1)).toBe('error');
    expect(seen.at(-1)).toEqual(['error', { code: 'GATEWAY_DRAINING', message: 'restarting', fatal: true }]);
    expect(session.state).toBe('ended');
  });

  it('does not send the open again once the gateway has answered it otherwise', () => {
    const { socket, sockets, page, names } = startSession();
    socket().accept();
    socket().json({
      type: 'auth-prompt',
      name: '',
      instructions: '',
      prompts: [{ prompt: 'Code: ', echo: false }],
    });
    socket().json(draining);
    page.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(names()).toEqual(['authPrompt', 'error']);
  });

  it('stops when the person hangs up while waiting to try again', () => {
    const { socket, sockets, page, session } = startSession();
    socket().accept();
    socket().json(draining);
    session.hangUp();
    expect(session.state).toBe('ended');
    page.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('keeps its wait when the browser comes back online: the balancer needs that time', () => {
    const { socket, sockets, page, network } = startSession();
    socket().accept();
    socket().json(draining);
    network(true);
    page.advance(0);
    expect(sockets).toHaveLength(1);
    page.advance(250);
    expect(sockets).toHaveLength(2);
    expect(socket().messages()).toEqual([]);
    socket().accept();
    expect(
      socket()
        .messages()
        .map((m) => m.type),
    ).toEqual(['open']);
  });
});
