/** What people are told when the shared database cannot be reached; the HTTP answer's `error`. */
export const DATABASE_UNAVAILABLE_TEXT = 'the shared database is unavailable; try again shortly';

/**
 * The shared side of the storage seam could not reach PostgreSQL (refused, reset, timed out,
 * shutting down): a passing outage, not a bug. Requests that need the database fail with 503
 * and these words (plugins/database-outage.ts), new sessions with DATABASE_UNAVAILABLE; running
 * sessions never wait for the database.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(DATABASE_UNAVAILABLE_TEXT, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}
