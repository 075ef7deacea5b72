import { type ClientMessage, PROTOCOL_VERSION, parseClientMessage } from '@vigil/protocol';
import type { TerminalSize } from '../terminal/terminal-size.js';

export type OpenMessage = Extract<ClientMessage, { type: 'open' }>;

/** What the sign-in form gathers: everything `open` needs except the terminal size. */
export type SignInRequest = Omit<OpenMessage, 'type' | 'protocol' | 'cols' | 'rows'>;

export function openMessage(request: SignInRequest, size: TerminalSize): OpenMessage {
  return { type: 'open', protocol: PROTOCOL_VERSION, ...request, cols: size.cols, rows: size.rows };
}

/**
 * Checks a sign-in against the wire contract before any socket opens, with the same parser the
 * gateway uses. The gateway answers a malformed `open` with a non-fatal error and keeps waiting,
 * so catching it here is the only way the person hears about it on the sign-in form.
 * @returns words for the person, or undefined when the request can be sent
 */
export function checkSignInRequest(request: SignInRequest): string | undefined {
  const parsed = parseClientMessage(JSON.stringify(openMessage(request, { cols: 80, rows: 24 })));
  if (parsed.ok) return undefined;
  if (parsed.code === 'MESSAGE_TOO_LARGE') return `This sign-in is too large to send (${parsed.reason}).`;
  return `This sign-in cannot be sent: ${parsed.reason}.`;
}
