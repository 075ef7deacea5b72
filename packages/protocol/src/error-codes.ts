/**
 * The catalogue of failures a person can be told about. The gateway maps ssh2 and fastify
 * failures to these codes in one place; `describeError` below is the one place they become words.
 */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'UNEXPECTED_MESSAGE',
  'PROTOCOL_VERSION',
  'SESSION_NOT_FOUND',
  'SESSION_TAKEN_OVER',
  'SESSION_ENDED',
  'TOO_MANY_SESSIONS',
  'IDLE_TIMEOUT',
  'TARGET_NOT_ALLOWED',
  'AUTH_METHOD_NOT_ALLOWED',
  'AUTH_FAILED',
  'SIGN_IN_CANCELLED',
  'KEY_INVALID',
  'KEY_PASSPHRASE',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_MISMATCH',
  'HOST_KEY_REVOKED',
  'HOST_KEY_REJECTED',
  'CONNECT_REFUSED',
  'HOST_UNREACHABLE',
  'HOST_NOT_FOUND',
  'CONNECT_TIMEOUT',
  'HANDSHAKE_FAILED',
  'SHELL_REFUSED',
  'CONNECTION_LOST',
  'KEEPALIVE_TIMEOUT',
  'GATEWAY_SHUTTING_DOWN',
  'GATEWAY_DRAINING',
  'RECORDING_UNAVAILABLE',
  'REPLICA_LOST',
  'DATABASE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What a message needs beyond its code; every field is optional because most codes need one or two. */
export interface ErrorDetails {
  /** Target name from the gateway's allowlist. */
  target?: string;
  host?: string;
  port?: number;
  /** SSH key algorithm name, e.g. `ssh-ed25519`. */
  keyType?: string;
  /** OpenSSH-style `SHA256:` fingerprint. */
  fingerprint?: string;
  /** Free text from the lower layer (a parser complaint, a server's disconnect reason). */
  reason?: string;
  limit?: number;
}

/** OpenSSH's display names for key algorithms (`ED25519`, `RSA`, `ECDSA`), used in host key messages. */
export function keyTypeLabel(keyType: string | undefined): string {
  if (keyType === undefined) return 'host';
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType.startsWith('ecdsa-')) return 'ECDSA';
  return keyType;
}

function where(d: ErrorDetails): string {
  if (d.host === undefined) return d.target ?? 'the target';
  return d.port === undefined || d.port === 22 ? d.host : `[${d.host}]:${d.port}`;
}

export function describeError(code: ErrorCode, d: ErrorDetails = {}): string {
  const suffix = d.reason ? ` (${d.reason})` : '';
  switch (code) {
    case 'BAD_MESSAGE':
      return `The gateway could not read a message from this page${suffix}. It was ignored.`;
    case 'MESSAGE_TOO_LARGE':
      return `A message from this page was larger than the limit of ${d.limit ?? '?'} bytes. It was ignored.`;
    case 'UNEXPECTED_MESSAGE':
      return `The gateway did not expect that message now${suffix}. It was ignored.`;
    case 'PROTOCOL_VERSION':
      return `This page speaks a protocol version the gateway does not${suffix}. Reload the page.`;
    case 'SESSION_NOT_FOUND':
      return 'That session no longer exists (it ended, or its grace period ran out), or it is not yours.';
    case 'SESSION_TAKEN_OVER':
      return 'This session was opened in another tab or window; it continues there.';
    case 'SESSION_ENDED':
      return `This session was ended by ${d.reason ?? 'an administrator'}.`;
    case 'TOO_MANY_SESSIONS':
      return `You already have ${d.limit ?? 'the maximum number of'} sessions open on this gateway; close one first.`;
    case 'IDLE_TIMEOUT':
      return "The session was closed after a period without input or output (the gateway's idle policy).";
    case 'TARGET_NOT_ALLOWED':
      return `"${d.target ?? '?'}" is not a target this gateway allows.`;
    case 'AUTH_METHOD_NOT_ALLOWED':
      return `That sign-in method is not allowed for ${d.target ?? 'this target'}${suffix}.`;
    case 'AUTH_FAILED':
      return `Permission denied: ${where(d)} did not accept the credentials${suffix}.`;
    case 'SIGN_IN_CANCELLED':
      return 'Sign-in cancelled; no session was opened.';
    case 'KEY_INVALID':
      return `The private key could not be read${suffix}.`;
    case 'KEY_PASSPHRASE':
      return 'The private key is encrypted and the passphrase is missing or wrong.';
    case 'HOST_KEY_UNKNOWN':
      return `Host key verification failed: the ${keyTypeLabel(d.keyType)} key of ${where(d)} is not known to the gateway. Its fingerprint is ${d.fingerprint ?? '?'}.`;
    case 'HOST_KEY_MISMATCH':
      return `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! The fingerprint for the ${keyTypeLabel(d.keyType)} key sent by the remote host ${where(d)} is ${d.fingerprint ?? '?'}. It does not match the key the gateway knows, so the connection was refused. Host key verification failed.`;
    case 'HOST_KEY_REVOKED':
      return `Host key verification failed: the ${keyTypeLabel(d.keyType)} key of ${where(d)} (${d.fingerprint ?? '?'}) is marked as revoked.`;
    case 'HOST_KEY_REJECTED':
      return `You did not accept the ${keyTypeLabel(d.keyType)} key of ${where(d)} (${d.fingerprint ?? '?'}), so the connection was closed.`;
    case 'CONNECT_REFUSED':
      return `ssh: connect to host ${d.host ?? '?'} port ${d.port ?? '?'}: Connection refused`;
    case 'HOST_UNREACHABLE':
      return `ssh: connect to host ${d.host ?? '?'} port ${d.port ?? '?'}: No route to host`;
    case 'HOST_NOT_FOUND':
      return `ssh: Could not resolve hostname ${d.host ?? '?'}: Name or service not known`;
    case 'CONNECT_TIMEOUT':
      return `ssh: connect to host ${d.host ?? '?'} port ${d.port ?? '?'}: Connection timed out`;
    case 'HANDSHAKE_FAILED':
      return `The SSH handshake with ${where(d)} failed${suffix}.`;
    case 'SHELL_REFUSED':
      return `${where(d)} refused to start a shell${suffix}.`;
    case 'CONNECTION_LOST':
      return `Connection to ${where(d)} closed${suffix}.`;
    case 'KEEPALIVE_TIMEOUT':
      // ssh(1)'s words, so people and runbooks recognise it.
      return `Timeout, server ${d.host ?? d.target ?? '?'} not responding.`;
    case 'GATEWAY_SHUTTING_DOWN':
      return 'The gateway is shutting down, so this session was closed. Connect again in a moment.';
    case 'GATEWAY_DRAINING':
      return 'This gateway replica is restarting and starts no new sessions; running ones go on. Try again: another replica will take it.';
    case 'RECORDING_UNAVAILABLE':
      return `This gateway records every session and cannot write recordings right now${suffix}; an administrator has been told. Try again later.`;
    case 'REPLICA_LOST':
      return "This session's gateway replica was lost (it crashed or stopped answering), so the session ended. Open a new one.";
    case 'DATABASE_UNAVAILABLE':
      return 'The shared database is unavailable, so no new session can start right now; running sessions are not affected. Try again shortly.';
    case 'INTERNAL':
      return `The gateway hit an internal error${suffix}. Other sessions are not affected.`;
  }
}
