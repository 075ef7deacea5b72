import type { Pool, QueryResultRow } from 'pg';
import { DatabaseUnavailableError } from '../database-unavailable.js';

/** Socket errors that mean the server cannot be reached or went away. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is not taking work: connection exceptions (class 08), shutdown and
 * start-up (57P01–57P03), insufficient resources (class 53: too many connections, disk full).
 */
const UNAVAILABLE_STATE = /^(08|53|57P0[1-3])/;

/**
 * Raised by node-postgres itself, without a code, when a connection fails or dies, or a query
 * goes unanswered for `query_timeout` (a server or path that stopped answering).
 */
const CLIENT_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout)/;

/**
 * Whether a node-postgres error means the database is unreachable (a passing outage) rather
 * than a mistake in what was asked (a bad statement, a constraint), which must not be hidden.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || UNAVAILABLE_STATE.test(code))) return true;
  if (CLIENT_MESSAGES.test(error.message)) return true;
  // Connecting to a name with several addresses fails with one error per address.
  return error instanceof AggregateError && error.errors.some(isConnectionFailure);
}

/** `pool.query`, with an unreachable database reported as DatabaseUnavailableError. */
export async function queryShared<Row extends QueryResultRow>(pool: Pool, text: string, values?: unknown[]) {
  try {
    return await pool.query<Row>(text, values);
  } catch (error) {
    throw isConnectionFailure(error) ? new DatabaseUnavailableError(error) : error;
  }
}
