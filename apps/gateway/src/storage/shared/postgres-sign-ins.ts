import type { FastifyBaseLogger } from 'fastify';
import pg, { type Pool } from 'pg';
import type { GatewayUser } from '../../auth/gateway-user.js';
import { newSignInToken, type SignInStore, SignInWatchers, signInKey } from '../../auth/sign-in-sessions.js';

/** The channel a sign-out is announced on, its payload the sign-in's key. */
const CHANNEL = 'vigil_sign_in_ended';
/** A lost listening connection is tried again after this long. */
const RELISTEN_MS = 1_000;

/**
 * Sign-ins in PostgreSQL (the shared side): a cookie from one replica is good on every other, a
 * sign-out on any replica ends it everywhere at once, and lifetimes run on the database's clock.
 * Each replica listens for sign-outs (LISTEN/NOTIFY) to close the sockets opened with them; after
 * losing that connection it re-checks every sign-in it watches, so an announcement missed
 * meanwhile still closes them.
 */
export class PostgresSignIns implements SignInStore {
  private readonly watchers = new SignInWatchers();
  /** When each sign-in found here expires, on this process's clock, for `watch`. */
  private readonly expiries = new Map<string, number>();
  private listener: pg.Client | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly connectionString: string,
    private readonly lifetimeMs: number,
    private readonly log?: FastifyBaseLogger,
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
    await this.pool.query(
      `INSERT INTO sign_in_sessions (key, user_json, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [signInKey(token), JSON.stringify(user), this.lifetimeMs / 1000],
    );
    return token;
  }

  async find(token: string | undefined): Promise<GatewayUser | undefined> {
    if (token === undefined) return undefined;
    const key = signInKey(token);
    const { rows } = await this.pool.query<{ user_json: string; left_ms: number }>(
      `SELECT user_json, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS left_ms
       FROM sign_in_sessions WHERE key = $1 AND expires_at > now()`,
      [key],
    );
    const row = rows[0];
    if (row === undefined) {
      this.expiries.delete(key);
      return undefined;
    }
    this.expiries.set(key, Date.now() + row.left_ms);
    return JSON.parse(row.user_json) as GatewayUser;
  }

  async end(token: string | undefined): Promise<void> {
    if (token === undefined) return;
    const key = signInKey(token);
    // One transaction: the announcement goes out only if the row is gone.
    await this.pool.query(
      `WITH gone AS (DELETE FROM sign_in_sessions WHERE key = $1 OR expires_at <= now())
       SELECT pg_notify($2, $1)`,
      [key, CHANNEL],
    );
    this.endedHere(key);
  }

  watch(token: string, ended: () => void): () => void {
    const key = signInKey(token);
    return this.watchers.watch(key, this.expiries.get(key), ended);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relisten);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private endedHere(key: string) {
    this.expiries.delete(key);
    this.watchers.ended(key);
  }

  private async listenAgain() {
    try {
      await this.listen();
    } catch (error) {
      this.log?.warn({ err: error }, 'PostgreSQL still unreachable for sign-outs; trying again');
      this.relisten = setTimeout(() => this.listenAgain(), RELISTEN_MS);
      this.relisten.unref();
      return;
    }
    // Sign-outs announced while this replica was not listening: whatever is gone has ended.
    const watched = this.watchers.watched();
    if (watched.length === 0) return;
    const { rows } = await this.pool.query<{ key: string }>(
      'SELECT key FROM sign_in_sessions WHERE key = ANY($1) AND expires_at > now()',
      [watched],
    );
    const live = new Set(rows.map((row) => row.key));
    for (const key of watched) if (!live.has(key)) this.endedHere(key);
  }
}
