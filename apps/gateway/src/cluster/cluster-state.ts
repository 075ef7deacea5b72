/**
 * What replicas share about each other through the database: who is serving (with a lease on the
 * database's clock) and which replica owns each live session. The shared side of the storage
 * seam implements it (storage/shared/postgres-cluster-state.ts); one process has none.
 */
export interface ClusterState {
  /** Registers a replica with a fresh lease. */
  join(replica: { id: string; url: string }, leaseSeconds: number): Promise<void>;
  /**
   * Extends the lease and notes each session's byte counts (for the audit record, should this
   * replica be lost); false when the row is gone (others swept it: this replica was lost).
   */
  renew(id: string, leaseSeconds: number, sessions: readonly SessionCounts[]): Promise<boolean>;
  /** Tells the others (and the balancer's admins) that this replica takes no new sessions. */
  markDraining(id: string): Promise<void>;
  /** Removes the replica and what is left of its sessions (after they were closed and audited). */
  leave(id: string): Promise<void>;
  /**
   * Ends the sessions of every replica whose lease ran out and removes those replicas; returns
   * the sessions ended, once each across all sweeping replicas (the caller audits them).
   */
  sweep(): Promise<LostSession[]>;
  addSession(entry: DirectoryEntry): Promise<void>;
  removeSession(sessionId: string): Promise<void>;
  /** Where a session lives, or how it ended if its replica was lost. */
  findSession(sessionId: string): Promise<SessionWhereabouts | undefined>;
  /** Live sessions of one owner across all replicas. */
  countOwned(owner: string): Promise<number>;
  replicas(): Promise<ReplicaRow[]>;
  /**
   * Stores the cluster's secret verifier if none is there yet (first writer wins) and tells
   * whether `verifier` matches the stored one.
   */
  checkSecret(verifier: Buffer): Promise<boolean>;
}

export interface DirectoryEntry {
  sessionId: string;
  replicaId: string;
  owner: string;
  target: string;
  sshUser: string;
  source: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
}

export interface SessionCounts {
  sessionId: string;
  bytesToTarget: number;
  bytesFromTarget: number;
}

/** A session whose replica was lost, with its counts as of that replica's last renewal. */
export type LostSession = DirectoryEntry & Omit<SessionCounts, 'sessionId'>;

export type SessionWhereabouts =
  | { state: 'live'; owner: string; replicaId: string; url: string | undefined }
  | { state: 'replica-lost'; owner: string; replicaId: string };

export interface ReplicaRow {
  id: string;
  url: string;
  state: 'serving' | 'draining';
  sessions: number;
}
