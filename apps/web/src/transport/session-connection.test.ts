import { MAX_INPUT_FRAME_BYTES, PROTOCOL_VERSION } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { FakePage, GatewaySide } from './fake-page.test-support.js';
import { inputBytes } from './input-frames.js';
import { type OpenMessage, openMessage } from './open-message.js';
import {
  type AttachMessage,
  SessionConnection,
  type SessionConnectionEvents,
  type SessionSocket,
} from './session-connection.js';

const openDemo = openMessage(
  { target: 'demo', auth: { method: 'keyboard-interactive' } },
  { cols: 80, rows: 24 },
);

function connectSession(first: OpenMessage | AttachMessage = openDemo) {
  const gateway = new GatewaySide();
  const page = new FakePage();
  const seen: [string, unknown][] = [];
  const events = new Proxy({} as SessionConnectionEvents, {
    get: (_target, name: string) => (value: unknown) => seen.push([name, value]),
  });
  const session = new SessionConnection('ws://gateway/ws', first, events, {
    connect: () => gateway as unknown as SessionSocket,
    watch: page,
  });
  return { gateway, page, seen, session, names: () => seen.map(([name]) => name) };
}

const opened = { type: 'opened', sessionId: 's1', target: 'demo', username: 'alice' };

const leg = { state: 'live', missed: 0, countMax: 3, intervalMs: 1000, lastRttMs: 0.4 };
/** The gateway pings this page every 20 s and gives up after 2 unanswered pings. */
const health = {
  type: 'health',
  ssh: leg,
  browser: { ...leg, countMax: 2, intervalMs: 20_000 },
  tcpKeepAlive: true,
};
// (2 + 1) × 20 s + 5 s of grace.
const PATIENCE = 65_000;

describe('SessionConnection', () => {
  it('sends open first, with the protocol version, once the socket is up', () => {
    const { gateway } = connectSession();
    expect(gateway.binaryType).toBe('arraybuffer');
    expect(gateway.sent).toEqual([]);
    gateway.accept();
    expect(gateway.messages()).toEqual([
      expect.objectContaining({ type: 'open', protocol: PROTOCOL_VERSION }),
    ]);
  });

  it('drops keystrokes and sizes until the shell runs', () => {
    const { gateway, session } = connectSession();
    gateway.accept();
    session.sendInput(inputBytes('too early', 'text'));
    session.resize({ cols: 100, rows: 30 });
    expect(gateway.sent).toHaveLength(1);
    gateway.json(opened);
    session.sendInput(inputBytes('ls\r', 'text'));
    session.resize({ cols: 100, rows: 30 });
    expect(new TextDecoder().decode(gateway.frames()[0])).toBe('ls\r');
    expect(gateway.messages().at(-1)).toEqual({ type: 'resize', cols: 100, rows: 30 });
  });

  it('sends a large paste as frames within the gateway limit', () => {
    const { gateway, session } = connectSession();
    gateway.accept();
    gateway.json(opened);
    session.sendInput(inputBytes('y'.repeat(MAX_INPUT_FRAME_BYTES + 1), 'text'));
    expect(gateway.frames().map((f) => f.byteLength)).toEqual([MAX_INPUT_FRAME_BYTES, 1]);
  });

  it('hands terminal output on as bytes', () => {
    const { gateway, seen } = connectSession();
    gateway.accept();
    gateway.message(new TextEncoder().encode('hi').buffer);
    expect(seen).toEqual([['output', new Uint8Array([0x68, 0x69])]]);
  });

  it('reports an unreadable text frame as a non-fatal error and carries on', () => {
    const { gateway, seen, session } = connectSession();
    gateway.accept();
    gateway.message('{"type":"nonsense"}');
    expect(seen[0]?.[0]).toBe('error');
    expect(seen[0]?.[1]).toMatchObject({ code: 'BAD_MESSAGE', fatal: false });
    expect(session.state).toBe('opening');
  });

  it('takes the close after exit as the end of the session, not a lost connection', () => {
    const { gateway, names, session } = connectSession();
    gateway.accept();
    gateway.json(opened);
    gateway.json({ type: 'exit', code: 0, signal: null });
    gateway.drop(4000);
    expect(names()).toEqual(['opened', 'exit']);
    expect(session.state).toBe('ended');
  });

  it('ends on a fatal error, but not on a non-fatal one', () => {
    const { gateway, names } = connectSession();
    gateway.accept();
    gateway.json({ type: 'error', code: 'UNEXPECTED_MESSAGE', message: 'ignored', fatal: false });
    gateway.json({ type: 'error', code: 'AUTH_FAILED', message: 'Permission denied', fatal: true });
    gateway.drop(4000);
    expect(names()).toEqual(['error', 'error']);
  });

  it('reports a close nobody announced as lost, telling whether the socket ever opened', () => {
    const early = connectSession();
    early.gateway.drop();
    expect(early.seen).toEqual([['lost', { everOpen: false, closeCode: 1006 }]]);

    const late = connectSession();
    late.gateway.accept();
    late.gateway.json(opened);
    late.gateway.drop();
    expect(late.seen.at(-1)).toEqual(['lost', { everOpen: true, closeCode: 1006 }]);
  });

  it('gives up on a gateway that sent nothing for longer than it would wait itself', () => {
    const { gateway, page, seen, session } = connectSession();
    gateway.accept();
    gateway.json(opened);
    gateway.json(health);
    page.advance(PATIENCE - 1);
    expect(session.state).toBe('attached');
    page.advance(1);
    expect(seen.at(-1)).toEqual(['lost', { everOpen: true, closeCode: 1006, silentMs: PATIENCE }]);
    expect(session.state).toBe('ended');
    expect(gateway.closedWith).toBe(1000);
    expect(page.pendingTimers()).toBe(0);
  });

  it('does not judge the gateway before its first health message', () => {
    const { gateway, page, names } = connectSession();
    gateway.accept();
    gateway.json(opened);
    page.advance(10 * PATIENCE);
    expect(names()).toEqual(['opened']);
  });

  it('counts every frame, terminal bytes included, as a sign of life', () => {
    const { gateway, page, names } = connectSession();
    gateway.accept();
    gateway.json(opened);
    gateway.json(health);
    for (let i = 0; i < 10; i++) {
      page.advance(PATIENCE - 1000);
      gateway.message(new TextEncoder().encode('.').buffer);
    }
    expect(names()).not.toContain('lost');
  });

  it('lets a tab that was frozen hear from the gateway before judging it', () => {
    const { gateway, page, names } = connectSession();
    gateway.accept();
    gateway.json(opened);
    gateway.json(health);
    // Frozen for five minutes: the overdue timer runs first, then the queued frames arrive.
    page.freeze(5 * 60_000);
    expect(names()).not.toContain('lost');
    gateway.json(health);
    page.advance(PATIENCE - 1);
    expect(names()).not.toContain('lost');
  });

  it('gives a tab shown again a grace period, and no longer', () => {
    const { gateway, page, seen } = connectSession();
    gateway.accept();
    gateway.json(opened);
    gateway.json(health);
    page.advance(60_000);
    page.wake();
    page.advance(PATIENCE - 60_000);
    expect(seen.at(-1)?.[0]).not.toBe('lost');
    // One interval and the grace after the wake, still nothing: the leg is dead after all.
    page.advance(20_000);
    expect(seen.at(-1)).toEqual(['lost', { everOpen: true, closeCode: 1006, silentMs: 85_000 }]);
  });

  it('stops watching once the session is over', () => {
    const { gateway, page, names } = connectSession();
    gateway.accept();
    gateway.json(opened);
    gateway.json(health);
    gateway.json({ type: 'exit', code: 0, signal: null });
    expect(page.pendingTimers()).toBe(0);
    page.advance(10 * PATIENCE);
    expect(names()).toEqual(['opened', 'health', 'exit']);
  });

  it('sends attach first when resuming, and counts as attached once the gateway says so', () => {
    const attach: AttachMessage = {
      type: 'attach',
      protocol: PROTOCOL_VERSION,
      sessionId: 's1',
      position: 42,
    };
    const { gateway, names, session } = connectSession(attach);
    gateway.accept();
    expect(gateway.messages()).toEqual([attach]);
    session.sendInput(inputBytes('x', 'text'));
    expect(gateway.frames()).toEqual([]);
    gateway.json({ ...opened, type: 'attached', position: 42, lostBytes: 0 });
    expect(names()).toEqual(['attached']);
    expect(session.state).toBe('attached');
    session.sendInput(inputBytes('x', 'text'));
    expect(gateway.frames()).toHaveLength(1);
  });

  it('sends acks only while attached', () => {
    const { gateway, session } = connectSession();
    gateway.accept();
    session.ack(10);
    gateway.json(opened);
    session.ack(20);
    expect(gateway.messages().slice(1)).toEqual([{ type: 'ack', position: 20 }]);
  });

  it('abandons a connection without hanging up the session', () => {
    const { gateway, names, session } = connectSession();
    gateway.accept();
    gateway.json(opened);
    session.abandon();
    expect(gateway.messages().map((m) => m.type)).toEqual(['open']);
    expect(gateway.closedWith).toBe(1000);
    expect(names()).toEqual(['opened']);
  });

  it('says nothing more once disposed', () => {
    const { gateway, names, session } = connectSession();
    gateway.accept();
    session.dispose();
    expect(gateway.messages().at(-1)).toEqual({ type: 'close' });
    gateway.json(opened);
    expect(names()).toEqual([]);
  });
});
