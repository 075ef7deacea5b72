import { describeError, type ErrorCode, type ErrorDetails } from '@vigil/protocol';

/** A failure on the way to, or during, an SSH session, already in the catalogue's terms. */
export class SshFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details: ErrorDetails = {},
  ) {
    super(describeError(code, details));
    this.name = 'SshFailure';
  }
}

const SOCKET_ERRORS: Partial<Record<string, ErrorCode>> = {
  ECONNREFUSED: 'CONNECT_REFUSED',
  EHOSTUNREACH: 'HOST_UNREACHABLE',
  ENETUNREACH: 'HOST_UNREACHABLE',
  ENOTFOUND: 'HOST_NOT_FOUND',
  EAI_AGAIN: 'HOST_NOT_FOUND',
  ETIMEDOUT: 'CONNECT_TIMEOUT',
  ECONNRESET: 'CONNECTION_LOST',
  EPIPE: 'CONNECTION_LOST',
};

/** The one place ssh2 and socket errors become catalogue codes. */
export function toSshFailure(error: unknown, where: ErrorDetails): SshFailure {
  if (error instanceof SshFailure) return error;
  const err = error as Error & { code?: string; level?: string; description?: string };
  const socketCode = err.code === undefined ? undefined : SOCKET_ERRORS[err.code];
  if (socketCode) return new SshFailure(socketCode, where);
  switch (err.level) {
    case 'client-authentication':
      return new SshFailure('AUTH_FAILED', where);
    case 'client-timeout':
      return new SshFailure('CONNECT_TIMEOUT', where);
    case 'handshake':
    case 'protocol':
      return new SshFailure('HANDSHAKE_FAILED', { ...where, reason: err.message });
    case 'client-dns':
      return new SshFailure('HOST_NOT_FOUND', where);
    default:
      return new SshFailure('CONNECTION_LOST', { ...where, reason: err.message ?? String(error) });
  }
}
