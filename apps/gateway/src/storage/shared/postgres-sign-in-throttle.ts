import type { Pool } from 'pg';
import { SIGN_IN_THROTTLE, type SignInThrottle, type ThrottleRule } from '../../auth/sign-in-throttle.js';
import { queryShared } from './shared-query.js';

/**
 * Failed sign-ins in PostgreSQL (the shared side): guesses at one account count together on
 * every replica. Times are the database's, so replicas whose clocks differ agree on the window.
 */
export class PostgresSignInThrottle implements SignInThrottle {
  constructor(
    private readonly pool: Pool,
    private readonly rule: ThrottleRule = SIGN_IN_THROTTLE,
  ) {}

  async isBlocked(name: string): Promise<boolean> {
    const { rows } = await queryShared<{ n: number }>(
      this.pool,
      `SELECT count(*)::int AS n FROM sign_in_failures
       WHERE name = $1 AND at > now() - make_interval(secs => $2)`,
      [name, this.rule.windowMs / 1000],
    );
    return (rows[0]?.n ?? 0) >= this.rule.maxFailures;
  }

  async failed(name: string): Promise<void> {
    // Old failures go as new ones come, so the table holds one window's worth.
    await queryShared(
      this.pool,
      `WITH gone AS (DELETE FROM sign_in_failures WHERE name = $1 AND at <= now() - make_interval(secs => $2))
       INSERT INTO sign_in_failures (name) VALUES ($1)`,
      [name, this.rule.windowMs / 1000],
    );
  }

  async succeeded(name: string): Promise<void> {
    await queryShared(this.pool, 'DELETE FROM sign_in_failures WHERE name = $1', [name]);
  }
}
