import type { FastifyBaseLogger } from 'fastify';
import pg, { type Pool } from 'pg';
import type { GatewayUser } from '../../auth/gateway-user.js';
import { newSignInToken, type SignInStore, SignInWatchers, signInKey } from '../../auth/sign-in-sessions.js';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { queryShared } from './shared-query.js';

/** The channel a sign-out is announced on, its payload the sign-in's key. */
const CHANNEL = 'vigil_sign_in_ended';
/** A lost listening connection is tried again after this long. */
const RELISTEN_MS = 1_000;
/**
 * While the database is unreachable, a sign-in this replica verified within this long is still
 * honoured, so running pages keep working (and reattach after a drop) through a short outage.
 * Nobody can sign out meanwhile (that is a write), so no sign-out is missed for it.
 * @default 900000 (15 minutes)
 */
export const OUTAGE_GRACE_MS = 15 * 60_000;
/** Verified sign-ins kept for an outage, at most; the longest unverified go first. @default 10000 */
export const MAX_VERIFIED_SIGN_INS = 10_000;

interface Verified {
  user: GatewayUser;
  /** On this process's clock. */
  expiresAt: number;
  verifiedAt: number;
}

/**
 * Sign-ins in PostgreSQL (the shared side): a cookie from one replica is good on every other, a
 * sign-out on any replica ends it everywhere at once, and lifetimes run on the database's clock.
 * Each replica listens for sign-outs (LISTEN/NOTIFY) to close the sockets opened with them; after
 * losing that connection it re-checks every sign-in it watches, so an announcement missed
 * meanwhile still closes them. While the database is unreachable, sign-ins verified in the last
 * OUTAGE_GRACE_MS are honoured from memory; any other check fails with DatabaseUnavailableError.
 */
export class PostgresSignIns implements SignInStore {
  private readonly watchers = new SignInWatchers();
  /** Each sign-in found here, oldest verification first: for `watch`, and for an outage. */
  private readonly verified = new Map<string, Verified>();
  private listener: pg.Client | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly connectionString: string,
    private readonly lifetimeMs: number,
    private readonly log?: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts listening for sign-outs; resolves once the first LISTEN is in place. */
  async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5_000 });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.endedHere(message.payload);
    });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.log?.warn({ err: error }, 'lost the PostgreSQL connection that hears sign-outs; reconnecting');
      this.relisten = setTimeout(() => this.listenAgain(), RELISTEN_MS);
      this.relisten.unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  async create(user: GatewayUser): Promise<string> {
    const token = newSignInToken();
    await queryShared(
      this.pool,
      `INSERT INTO sign_in_sessions (key, user_json, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [signInKey(token), JSON.stringify(user), this.lifetimeMs / 1000],
    );
    return token;
  }

  async find(token: string | undefined): Promise<GatewayUser | undefined> {
    if (token === undefined) return undefined;
    const key = signInKey(token);
    let rows: { user_json: string; left_ms: number }[];
    try {
      ({ rows } = await queryShared<{ user_json: string; left_ms: number }>(
        this.pool,
        `SELECT user_json, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS left_ms
         FROM sign_in_sessions WHERE key = $1 AND expires_at > now()`,
        [key],
      ));
    } catch (error) {
      const kept = error instanceof DatabaseUnavailableError ? this.keptThroughOutage(key) : undefined;
      if (kept === undefined) throw error;
      return kept;
    }
    const row = rows[0];
    if (row === undefined) {
      this.verified.delete(key);
      return undefined;
    }
    const user = JSON.parse(row.user_json) as GatewayUser;
    const now = this.now();
    // Re-inserted, so the map stays in order of verification and the oldest is evicted first.
    this.verified.delete(key);
    this.verified.set(key, { user, expiresAt: now + row.left_ms, verifiedAt: now });
    for (const oldest of this.verified.keys()) {
      if (this.verified.size <= MAX_VERIFIED_SIGN_INS) break;
      this.verified.delete(oldest);
    }
    return user;
  }

  /** A sign-in verified recently enough and not expired, for while the database is away. */
  private keptThroughOutage(key: string): GatewayUser | undefined {
    const kept = this.verified.get(key);
    const now = this.now();
    if (kept === undefined || kept.expiresAt <= now || now - kept.verifiedAt > OUTAGE_GRACE_MS)
      return undefined;
    return kept.user;
  }

  async end(token: string | undefined): Promise<void> {
    if (token === undefined) return;
    const key = signInKey(token);
    // One transaction: the announcement goes out only if the row is gone.
    await queryShared(
      this.pool,
      `WITH gone AS (DELETE FROM sign_in_sessions WHERE key = $1 OR expires_at <= now())
       SELECT pg_notify($2, $1)`,
      [key, CHANNEL],
    );
    this.endedHere(key);
  }

  watch(token: string, ended: () => void): () => void {
    const key = signInKey(token);
    return this.watchers.watch(key, this.verified.get(key)?.expiresAt, ended);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relisten);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private endedHere(key: string) {
    this.verified.delete(key);
    this.watchers.ended(key);
  }

  private async listenAgain() {
    try {
      await this.listen();
    } catch (error) {
      this.log?.debug({ err: error }, 'PostgreSQL still unreachable for sign-outs; trying again');
      this.relisten = setTimeout(() => this.listenAgain(), RELISTEN_MS);
      this.relisten.unref();
      return;
    }
    // Sign-outs announced while this replica was not listening: whatever is gone has ended.
    const watched = this.watchers.watched();
    if (watched.length === 0) return;
    let rows: { key: string }[];
    try {
      ({ rows } = await this.pool.query<{ key: string }>(
        'SELECT key FROM sign_in_sessions WHERE key = ANY($1) AND expires_at > now()',
        [watched],
      ));
    } catch (error) {
      // Gone again: the listener is lost with it, and its next return checks them all again.
      this.log?.warn({ err: error }, 'could not re-check the watched sign-ins after reconnecting');
      return;
    }
    const live = new Set(rows.map((row) => row.key));
    for (const key of watched) if (!live.has(key)) this.endedHere(key);
  }
}
