import { describe, expect, it } from 'vitest';
import {
  FLOW_CONTROL,
  MAX_CONTROL_MESSAGE_BYTES,
  MAX_FRAME_BYTES,
  MAX_INPUT_FRAME_BYTES,
  PROTOCOL_VERSION,
} from './constants.js';
import { parseClientMessage, parseServerMessage, utf8ByteLength } from './parse.js';

const open = {
  type: 'open',
  protocol: PROTOCOL_VERSION,
  target: 'demo',
  username: 'alice',
  auth: { method: 'password', password: 'pw' },
  cols: 80,
  rows: 24,
};

describe('parseClientMessage', () => {
  it('accepts a valid open message and keeps its fields', () => {
    const result = parseClientMessage(JSON.stringify(open));
    expect(result).toEqual({ ok: true, message: open });
  });

  it('rejects text that is not JSON', () => {
    expect(parseClientMessage('{"type":')).toEqual({ ok: false, code: 'BAD_MESSAGE', reason: 'not JSON' });
  });

  it('rejects an unknown type and names the field', () => {
    const result = parseClientMessage(JSON.stringify({ type: 'shutdown-gateway' }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('BAD_MESSAGE');
      expect(result.reason).toMatch(/^type: /);
    }
  });

  it('rejects a resize outside the terminal limits', () => {
    const result = parseClientMessage(JSON.stringify({ type: 'resize', cols: 0, rows: 24 }));
    expect(result).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    if (!result.ok) expect(result.reason).toMatch(/^cols: /);
  });

  it('rejects an auth method that does not exist', () => {
    const result = parseClientMessage(JSON.stringify({ ...open, auth: { method: 'hostbased' } }));
    expect(result).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
  });

  it('rejects a message over the byte cap before parsing it', () => {
    const huge = JSON.stringify({ type: 'auth-answers', answers: ['x'.repeat(MAX_CONTROL_MESSAGE_BYTES)] });
    expect(parseClientMessage(huge)).toMatchObject({ ok: false, code: 'MESSAGE_TOO_LARGE' });
  });

  it('counts the cap in UTF-8 bytes, not characters', () => {
    // 30 000 three-byte characters: under the cap in characters, over it in bytes.
    const text = JSON.stringify({ type: 'auth-answers', answers: ['€'.repeat(30_000)] });
    expect(text.length).toBeLessThan(MAX_CONTROL_MESSAGE_BYTES);
    expect(parseClientMessage(text)).toMatchObject({ ok: false, code: 'MESSAGE_TOO_LARGE' });
  });
});

describe('parseServerMessage', () => {
  it('accepts an error with a catalogued code', () => {
    const message = { type: 'error', code: 'AUTH_FAILED', message: 'Permission denied', fatal: true };
    expect(parseServerMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('rejects an error code outside the catalogue', () => {
    const message = { type: 'error', code: 'WHATEVER', message: '', fatal: true };
    expect(parseServerMessage(JSON.stringify(message))).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
  });
});

describe('flow control constants', () => {
  it('acknowledge often enough for a paused stream to resume', () => {
    // A paused stream resumes only at or below half the window; acks coarser than that could
    // leave the unacknowledged count above it until the drain timer (VS Code's FlowControlConstants rule).
    expect(FLOW_CONTROL.ackEveryBytes).toBeLessThanOrEqual(FLOW_CONTROL.windowFloor / 2);
    expect(FLOW_CONTROL.windowFloor).toBeLessThanOrEqual(FLOW_CONTROL.initialWindow);
    expect(FLOW_CONTROL.initialWindow).toBeLessThanOrEqual(FLOW_CONTROL.windowCeiling);
  });
});

describe('limits', () => {
  it('keeps every per-message cap within the WebSocket frame cap', () => {
    // The browser chunks input to MAX_INPUT_FRAME_BYTES; a cap above the frame cap would close the socket instead.
    expect(MAX_INPUT_FRAME_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(MAX_CONTROL_MESSAGE_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });
});

describe('utf8ByteLength', () => {
  it('counts bytes as UTF-8 encodes them', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['abc', 3],
      ['é', 2],
      ['€', 3],
      ['漢字', 6],
      ['🙂', 4],
      ['a🙂b€', 9],
    ];
    for (const [text, bytes] of cases) expect(utf8ByteLength(text), text).toBe(bytes);
  });
});
