import type { AuthRequest } from '@vigil/protocol';

/** Why a session ended, as the audit trail records it. */
export type SessionEndReason =
  | { reason: 'exit'; code: number | null; signal: string | null }
  | { reason: 'keepalive-timeout'; missed: number; countMax: number }
  | { reason: 'closed'; detail: string }
  /** Ended through the sessions API by this gateway user (an administrator or the owner). */
  | { reason: 'ended-by'; by: string }
  | { reason: 'failure'; code: string }
  /** Its replica stopped renewing its lease; another replica recorded the end (`replica`: the lost one's id). */
  | { reason: 'replica-lost'; replica: string };

/** Everything the audit trail records; one variant per kind of event. */
export type AuditEvent =
  | {
      kind: 'sign-in';
      /** The gateway user name as given (it may not exist). */
      user: string;
      source: string;
      method: 'local' | 'oidc';
      outcome: 'success' | 'failure' | 'throttled';
      /** Why an OIDC sign-in failed. */
      reason?: string;
    }
  | {
      kind: 'session-start';
      sessionId: string;
      /** The gateway-side identity that opened it. */
      owner: string;
      source: string;
      target: string;
      sshUser: string;
      /** How the SSH sign-in was made (`gateway-key`: a key the gateway holds for the target). */
      auth: AuthRequest['method'];
    }
  | {
      kind: 'session-end';
      sessionId: string;
      owner: string;
      source: string;
      target: string;
      sshUser: string;
      durationMs: number;
      bytesToTarget: number;
      bytesFromTarget: number;
      end: SessionEndReason;
    }
  | {
      kind: 'session-refused';
      owner: string;
      source: string;
      target: string;
      sshUser: string | undefined;
      code: string;
    }
  | {
      /** A session's recording could not be written; the session went on unrecorded from then. */
      kind: 'recording-failed';
      sessionId: string;
      owner: string;
      source: string;
      target: string;
      sshUser: string;
      reason: string;
    }
  | {
      kind: 'host-key';
      owner: string;
      source: string;
      target: string;
      keyType: string;
      fingerprint: string;
      decision: 'accepted-on-first-use' | 'rejected-by-person' | 'mismatch' | 'unknown' | 'revoked';
    };

export interface AuditRow {
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  event: AuditEvent;
}

export interface AuditQuery {
  kind?: AuditEvent['kind'];
  owner?: string;
  target?: string;
  sessionId?: string;
  /** Only rows after this id (paging forward, as an export does). */
  afterId?: number;
  /** Only rows before this id (paging back from the newest, as a person reads). */
  beforeId?: number;
  /** Newest first rather than oldest first. */
  newestFirst?: boolean;
  limit?: number;
}

/**
 * Where audit events go: embedded SQLite, or PostgreSQL shared by replicas (storage/local and
 * storage/shared, chosen by storage/open-storage.ts).
 */
export interface AuditLog {
  /** Never waits and never throws on the database's account: a shared store queues the event. */
  record(event: AuditEvent): void;
  query(query: AuditQuery): Promise<AuditRow[]>;
  /** Writes what is still queued (as far as it can), then lets go of the database. */
  close(): Promise<void>;
}
