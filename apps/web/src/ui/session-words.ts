import { keyTypeLabel } from '@vigil/protocol';
import type {
  ConnectionLost,
  HostKeyOffer,
  SessionExit,
  SessionOpened,
} from '../transport/terminal-session.js';

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
