import type { z } from 'zod';
import { MAX_CONTROL_MESSAGE_BYTES } from './constants.js';
import type { ErrorCode } from './error-codes.js';
import {
  type ClientMessage,
  clientMessageSchema,
  type LiveSession,
  liveSessionSchema,
  type ServerMessage,
  type SessionSummary,
  serverMessageSchema,
  sessionSummarySchema,
  type TargetSummary,
  targetSummarySchema,
} from './messages.js';

export type ParseResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: Extract<ErrorCode, 'BAD_MESSAGE' | 'MESSAGE_TOO_LARGE'>; reason: string };

/** UTF-8 length without TextEncoder, which this package's lib (no DOM, no Node) does not declare. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one code point of four bytes.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function parseWith<T>(schema: z.ZodType<T>, raw: string): ParseResult<T> {
  // Characters are at most 3 UTF-8 bytes each, so short texts skip the encoding pass.
  if (raw.length * 3 > MAX_CONTROL_MESSAGE_BYTES && utf8ByteLength(raw) > MAX_CONTROL_MESSAGE_BYTES) {
    return { ok: false, code: 'MESSAGE_TOO_LARGE', reason: `more than ${MAX_CONTROL_MESSAGE_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'BAD_MESSAGE', reason: 'not JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, code: 'BAD_MESSAGE', reason: `${path}${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: result.data };
}

/** The gateway's single entry point for text frames from a browser. */
export function parseClientMessage(raw: string): ParseResult<ClientMessage> {
  return parseWith(clientMessageSchema, raw);
}

/** The browser's single entry point for text frames from the gateway. */
export function parseServerMessage(raw: string): ParseResult<ServerMessage> {
  return parseWith(serverMessageSchema, raw);
}

export function parseTargetList(json: unknown): TargetSummary[] {
  return targetSummarySchema.array().parse(json);
}

export function parseSessionList(json: unknown): SessionSummary[] {
  return sessionSummarySchema.array().parse(json);
}

export function parseLiveSessions(json: unknown): LiveSession[] {
  return liveSessionSchema.array().parse(json);
}
