/**
 * The schema of Vigil's stored state, one numbered step at a time, for both sides of the storage
 * seam: embedded SQLite (one process) and PostgreSQL (replicas sharing state). A database is
 * only ever moved forward; one with a newer version than this code is refused, so an old replica
 * started against an upgraded database stops instead of writing what it no longer understands.
 */
export interface Migration {
  version: number;
  /** What the step adds, for the log and the version table. */
  description: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'the audit trail',
    sqlite: `
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        owner TEXT,
        target TEXT,
        session_id TEXT,
        event TEXT NOT NULL
      );
      CREATE INDEX audit_owner ON audit (owner, id);
      CREATE INDEX audit_target ON audit (target, id);
      CREATE INDEX audit_session ON audit (session_id);`,
    // The event as text, not jsonb: an export gives back the bytes the gateway wrote, key order
    // included, on both sides.
    postgres: `
      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        owner TEXT,
        target TEXT,
        session_id TEXT,
        event TEXT NOT NULL
      );
      CREATE INDEX audit_owner ON audit (owner, id);
      CREATE INDEX audit_target ON audit (target, id);
      CREATE INDEX audit_session ON audit (session_id);`,
  },
  {
    version: 2,
    description: 'host keys accepted on first use',
    // The local side keeps them in <dataDir>/known_hosts, OpenSSH's own format, as before.
    sqlite: '',
    postgres: `
      CREATE TABLE first_use_host_keys (
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        key_type TEXT NOT NULL,
        key BYTEA NOT NULL,
        accepted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (host, port, key_type)
      );`,
  },
  {
    version: 3,
    description: 'failed sign-ins, for the per-account throttle',
    // The local side counts them in memory, as before.
    sqlite: '',
    postgres: `
      CREATE TABLE sign_in_failures (
        name TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX sign_in_failures_name ON sign_in_failures (name, at);`,
  },
  {
    version: 4,
    description: 'sign-in sessions of the gateway',
    // The local side keeps them in memory, as before: a restart signs everyone out.
    sqlite: '',
    postgres: `
      CREATE TABLE sign_in_sessions (
        key TEXT PRIMARY KEY,
        user_json TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX sign_in_sessions_expiry ON sign_in_sessions (expires_at);`,
  },
  {
    version: 5,
    description: 'replicas with their leases, the directory of live sessions, the cluster secret check',
    // One process has no replicas: its sessions are the ones in its memory.
    sqlite: '',
    // lease_until is the database's clock, never a replica's: replicas' clocks may disagree.
    // The byte counts are as of the owner's last renewal, for the audit record of a lost session.
    // A lost replica's sessions keep their row (ended_at, end_reason) for a day, so a browser that
    // comes back to another replica is told why its session ended instead of "no such session".
    postgres: `
      CREATE TABLE replicas (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'serving',
        joined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        lease_until TIMESTAMPTZ NOT NULL,
        sessions INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE live_sessions (
        session_id TEXT PRIMARY KEY,
        replica_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        target TEXT NOT NULL,
        ssh_user TEXT NOT NULL,
        source TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        bytes_to_target BIGINT NOT NULL DEFAULT 0,
        bytes_from_target BIGINT NOT NULL DEFAULT 0,
        ended_at TIMESTAMPTZ,
        end_reason TEXT
      );
      CREATE INDEX live_sessions_replica ON live_sessions (replica_id) WHERE ended_at IS NULL;
      CREATE INDEX live_sessions_owner ON live_sessions (owner) WHERE ended_at IS NULL;
      CREATE INDEX live_sessions_ended ON live_sessions (ended_at) WHERE ended_at IS NOT NULL;
      CREATE TABLE cluster_secret (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        verifier BYTEA NOT NULL
      );`,
  },
  {
    version: 6,
    description:
      'a key per audit event from its replica, so a write retried after a lost reply is not doubled',
    // One process writes its SQLite file in a transaction it sees the end of.
    sqlite: '',
    postgres: `
      ALTER TABLE audit ADD COLUMN writer_key TEXT;
      CREATE UNIQUE INDEX audit_writer_key ON audit (writer_key);`,
  },
];

/** The version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((latest, step) => Math.max(latest, step.version), 0);

/** The steps still to apply to a database at `version`, in order; throws for one that is newer than this code. */
export function migrationsAfter(version: number): Migration[] {
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `the database has schema ${version}, newer than this Vigil (${SCHEMA_VERSION}): upgrade Vigil`,
    );
  }
  return MIGRATIONS.filter((step) => step.version > version);
}
