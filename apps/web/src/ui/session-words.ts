import { keyTypeLabel, type SessionSummary } from '@vigil/protocol';
import type {
  ConnectionLost,
  HostKeyOffer,
  SessionExit,
  SessionOpened,
} from '../transport/session-connection.js';

/** How the remote shell ended, in the words the terminal and status line use. */
export function exitStatusText(exit: Pick<SessionExit, 'code' | 'signal'>): string {
  if (exit.code !== null) return `remote shell exited with status ${exit.code}`;
  // ssh2 reports signal names without the SIG prefix (RFC 4254 §6.10); strip it if a server adds one.
  if (exit.signal !== null) return `remote shell killed by signal ${exit.signal.replace(/^SIG/, '')}`;
  return 'remote shell closed without an exit status';
}

export function connectedText(opened: Pick<SessionOpened, 'target' | 'username'>): string {
  return `connected to ${opened.target} as ${opened.username}`;
}

export function reattachedText(attached: Pick<SessionOpened, 'target' | 'username'>): string {
  return `reattached to ${attached.target} as ${attached.username}`;
}

/** The status line while the page reconnects by itself; `droppedInput` once typing was not kept. */
export function reconnectingText(attempt: number, droppedInput = false): string {
  const text = `Connection lost — reconnecting (attempt ${attempt})…`;
  return droppedInput ? `${text} Some typing could not be kept and was not sent.` : text;
}

/** The status line while an `open` refused by a draining replica is tried again. */
export function openRetryingText(attempt: number, of: number): string {
  return `This gateway replica is restarting — trying another one (attempt ${attempt} of ${of})…`;
}

/** Written into the terminal where the gap is, before the newest output. */
export function lostOutputText(lostBytes: number): string {
  const bytes = lostBytes === 1 ? '1 byte of output was' : `${lostBytes} bytes of output were`;
  return `[vigil: ${bytes} lost while disconnected]`;
}

/** A session that was gone when the page came back for it after a drop. */
export const SESSION_ENDED_AWAY_TEXT = 'The session ended while you were away';

/** One of "Your sessions": who, since when, and whether another page has it now. */
export function sessionSummaryText(
  session: Pick<SessionSummary, 'username' | 'startedAt' | 'attached'>,
  time: Intl.DateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' }),
): string {
  const where = session.attached ? 'open in another tab or window' : 'not attached';
  return `as ${session.username} · started ${time.format(session.startedAt)} · ${where}`;
}

/** Asked before ending a session for good: what goes with it. */
export function endSessionQuestion(session: Pick<SessionSummary, 'target' | 'username'>): string {
  return `End the session on ${session.target} as ${session.username}? Its shell and everything running in it will be closed.`;
}

export function connectionLostText(lost: ConnectionLost): string {
  if (!lost.everOpen) return 'Could not connect to the gateway';
  if (lost.silentMs !== undefined) {
    return `Connection to gateway lost (nothing heard from it for ${Math.round(lost.silentMs / 1000)} s)`;
  }
  return 'Connection to gateway lost';
}

/** A host as OpenSSH names it in known_hosts and its prompts: bare on port 22, `[host]:port` otherwise. */
export function hostLabel(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The trust-on-first-use question, worded as OpenSSH asks it. */
export function hostKeyQuestion(offer: Pick<HostKeyOffer, 'host' | 'port' | 'keyType' | 'fingerprint'>): {
  host: string;
  keyType: string;
  fingerprint: string;
} {
  return {
    host: hostLabel(offer.host, offer.port),
    keyType: keyTypeLabel(offer.keyType),
    fingerprint: offer.fingerprint,
  };
}
