import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { AuditLog } from '../audit/audit-log.js';
import { MemorySignIns, type SignInStore } from '../auth/sign-in-sessions.js';
import { MemorySignInThrottle, type SignInThrottle } from '../auth/sign-in-throttle.js';
import type { ClusterState } from '../cluster/cluster-state.js';
import type { Config } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import type { FirstUseKeys } from '../ssh/host-key-store.js';
import { KnownHostsFile } from './local/known-hosts-file.js';
import { SqliteAuditLog } from './local/sqlite-audit-log.js';
import { PostgresAuditLog } from './shared/postgres-audit-log.js';
import { PostgresClusterState } from './shared/postgres-cluster-state.js';
import { PostgresHostKeys } from './shared/postgres-host-keys.js';
import { migratePostgres } from './shared/postgres-schema.js';
import { PostgresSignInThrottle } from './shared/postgres-sign-in-throttle.js';
import { PostgresSignIns } from './shared/postgres-sign-ins.js';

/** How long a query to the shared database may go unanswered before it counts as unavailable. */
const QUERY_TIMEOUT_MS = 5_000;

/** The one place that picks a side of the storage seam: local (SQLite, files) or shared (PostgreSQL). */
export interface Storage {
  side: 'local' | 'shared';
  audit: AuditLog;
  firstUseKeys: FirstUseKeys;
  signInThrottle: SignInThrottle;
  signIns: SignInStore;
  /** Replicas and the directory of live sessions; only on the shared side (one process has no cluster). */
  cluster?: ClusterState;
  /** Writes what is queued (the audit trail) and lets go of the database. */
  close(): Promise<void>;
}

/** Where the shared database is, if anywhere: the config first, then VIGIL_DATABASE_URL. */
export function databaseUrl(config: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return config.cluster.databaseUrl ?? (env.VIGIL_DATABASE_URL || undefined);
}

export function auditDatabasePath(config: Config): string {
  return config.audit.database ?? join(config.dataDir, 'audit.db');
}

/**
 * Opens the storage the config asks for. The shared side checks the database and brings its
 * schema up to date before the gateway takes any request, so a replica that cannot reach it
 * fails to start with PostgreSQL's own reason instead of failing requests later.
 */
export async function openStorage(
  config: Config,
  log?: FastifyBaseLogger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Storage> {
  const url = databaseUrl(config, env);
  const lifetimeMs = (config.auth?.sessionLifetime ?? 0) * 1000;
  if (url === undefined) {
    const audit = new SqliteAuditLog(auditDatabasePath(config));
    return {
      side: 'local',
      audit,
      firstUseKeys: new KnownHostsFile(config.dataDir),
      signInThrottle: new MemorySignInThrottle(),
      signIns: new MemorySignIns(lifetimeMs),
      close: () => audit.close(),
    };
  }
  // A dead connection, or a server that stops answering, must not hang a query (and the request
  // waiting on it) for ever: fail within 5 s, as unavailable; the audit queue retries.
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 5_000,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // An idle client losing its server emits on the pool; without a listener that would crash the gateway.
  pool.on('error', (error) => log?.warn({ err: error }, 'PostgreSQL connection lost'));
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    // Named by the setting it came from, so the operator knows what to fix.
    const setting = config.cluster.databaseUrl === undefined ? 'VIGIL_DATABASE_URL' : 'cluster.databaseUrl';
    throw new ConfigError([`${setting}: the shared database is not usable: ${(error as Error).message}`]);
  }
  const audit = new PostgresAuditLog(pool, {
    unavailable: (error, pending) =>
      log?.error(
        { err: error, pending },
        'PostgreSQL unavailable: audit events are kept and written when it returns',
      ),
    overflowing: (limit) =>
      log?.error(
        { limit },
        `PostgreSQL unavailable and ${limit} audit events kept: further events are DROPPED until it returns`,
      ),
    recovered: (written, dropped) =>
      dropped === 0
        ? log?.info({ written }, 'PostgreSQL is back: the kept audit events are written')
        : log?.error(
            { written, dropped },
            `PostgreSQL is back: the kept audit events are written, but ${dropped} were DROPPED while it was away`,
          ),
  });
  const signIns = new PostgresSignIns(pool, url, lifetimeMs, log);
  await signIns.listen();
  return {
    side: 'shared',
    audit,
    firstUseKeys: new PostgresHostKeys(pool),
    signInThrottle: new PostgresSignInThrottle(pool),
    signIns,
    cluster: new PostgresClusterState(pool),
    async close() {
      await signIns.close();
      // The audit log writes its queue, then ends the pool it shares with the others.
      await audit.close();
    },
  };
}
