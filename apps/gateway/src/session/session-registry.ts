import { randomBytes } from 'node:crypto';
import type { AuthRequest, ErrorCode, LiveSession, SessionSummary } from '@vigil/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { AuditLog, SessionEndReason } from '../audit/audit-log.js';
import type { GatewayMetrics } from '../plugins/gateway-metrics.js';
import type { RecordingHealth } from '../recording/recording-health.js';
import type { RecordingStore } from '../recording/store/recording-store.js';
import { SshFailure } from '../ssh/ssh-failure.js';
import type { ShellEnd, SshShell } from '../ssh/ssh-shell.js';
import { Session, type SessionPolicy } from './session.js';

/**
 * The cluster's directory of live sessions as the registry uses it (cluster/replica-membership.ts):
 * a session is in it from before its first byte until it ends, so any replica can route to it.
 */
export interface SessionDirectory {
  /** Live sessions of one owner across the cluster; throws when the database cannot be reached. */
  countOwned(owner: string): Promise<number>;
  /** Throws when the database cannot be reached: the session is then not opened. */
  add(entry: {
    sessionId: string;
    owner: string;
    target: string;
    sshUser: string;
    source: string;
    startedAt: number;
  }): Promise<void>;
  /** Never throws: a removal the database cannot take now is retried. */
  remove(sessionId: string): void;
}

/** All live sessions of one gateway process, by id. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  /** In a cluster: the directory, once this replica has joined (sessions wait for it). */
  private directory: Promise<SessionDirectory> | undefined;
  /** Sessions whose end another replica already audited (this one was lost): not audited twice. */
  private readonly endedElsewhere = new Set<string>();
  /** Who waits for the last session to end (a draining replica). */
  private emptied: (() => void)[] = [];

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly audit: AuditLog,
    private readonly policy: SessionPolicy,
    /** Where recordings go and whether input is recorded; undefined: no recordings. */
    private readonly recordings:
      | { store: RecordingStore; input: boolean; health: RecordingHealth }
      | undefined,
  ) {}

  /** Why no new session may start now (recordings cannot be written and the policy refuses), or undefined. */
  recordingRefusal(): string | undefined {
    return this.recordings?.health.refusal();
  }

  /**
   * A recording failed: said at once in the log, the audit trail and /metrics, then the policy.
   * The session itself goes on unless the policy ends every session.
   */
  private recordingFailed(
    context: { sessionId: string; owner: string; source: string; target: string; sshUser: string },
    reason: string,
    log: FastifyBaseLogger,
  ) {
    const health = this.recordings?.health;
    health?.failed(reason);
    log.error({ reason, policy: health?.policy }, 'recording failed: this session is no longer recorded');
    this.audit.record({ kind: 'recording-failed', ...context, reason });
    this.metrics.recordingFailures.inc();
    if (health?.policy !== 'end-sessions') return;
    for (const session of this.sessions.values())
      session.close('recordings cannot be written', 'RECORDING_UNAVAILABLE');
  }

  /**
   * In a cluster, every session is listed in its directory; `directory` resolves when this
   * replica has joined (a session opened before waits for it, so none is missing there).
   */
  useDirectory(directory: Promise<SessionDirectory>) {
    this.directory = directory;
  }

  /**
   * How many sessions the owner has open: across the cluster when there is one (so the limit
   * holds whichever replica the balancer picks). Throws DATABASE_UNAVAILABLE when it cannot tell.
   */
  async ownedCount(owner: string): Promise<number> {
    if (!this.directory) return this.list(owner).length;
    try {
      return await (await this.directory).countOwned(owner);
    } catch (error) {
      throw new SshFailure('DATABASE_UNAVAILABLE', { reason: (error as Error).message });
    }
  }

  /**
   * Registers a session on a shell that just opened. In a cluster it is written to the directory
   * first; when that fails the shell is closed and DATABASE_UNAVAILABLE thrown, because a
   * session no other replica can find would be lost to the person at their next reload.
   */
  async create(
    who: { owner: string; source: string },
    target: string,
    username: string,
    auth: AuthRequest['method'],
    shell: SshShell,
    log: FastifyBaseLogger,
    size: { cols: number; rows: number },
  ): Promise<Session> {
    const { owner, source } = who;
    // 128 random bits: with the owner check, a session id is useless to anyone else.
    const id = randomBytes(16).toString('base64url');
    const startedAt = Date.now();
    // The Session below is what listens to the shell: output that came while the directory is
    // written (the prompt, often) would reach nobody. The channel holds it until then.
    shell.pause();
    try {
      await (await this.directory)?.add({
        sessionId: id,
        owner,
        target,
        sshUser: username,
        source,
        startedAt,
      });
    } catch (error) {
      shell.close('the session could not be registered with the cluster');
      throw new SshFailure('DATABASE_UNAVAILABLE', { reason: (error as Error).message });
    }
    const sessionLog = log.child({ sessionId: id, target, user: username });
    const recorder = this.recordings?.store.record(
      id,
      { ...size, timestamp: Math.floor(Date.now() / 1000), title: `${username}@${target}` },
      this.recordings.input,
    );
    const session = new Session(id, who, target, username, shell, sessionLog, this.policy, recorder);
    shell.resume();
    this.sessions.set(id, session);
    this.metrics.activeSessions.inc();
    this.metrics.observe('ssh', shell.heartbeat);
    const context = { sessionId: id, owner, source, target, sshUser: username };
    this.audit.record({ kind: 'session-start', ...context, auth });
    recorder?.once('failed', (reason) => this.recordingFailed(context, reason, sessionLog));
    session.once('end', (end) => {
      this.sessions.delete(id);
      this.metrics.activeSessions.dec();
      if (this.sessions.size === 0) for (const resolve of this.emptied.splice(0)) resolve();
      void this.directory?.then((directory) => directory.remove(id));
      if (this.endedElsewhere.delete(id)) {
        sessionLog.info('session closed: its end was recorded by the replica that found this one lost');
        return;
      }
      const record = {
        ...context,
        durationMs: Date.now() - session.startedAt,
        bytesToTarget: session.inputBytes,
        bytesFromTarget: session.outputPosition,
        end: endReason(end, shell, session.endedBy),
      };
      this.audit.record({ kind: 'session-end', ...record });
      sessionLog.info(record, 'session ended');
    });
    return session;
  }

  /** A session only its owner can see; for anyone else it does not exist. */
  get(id: string, owner: string): Session | undefined {
    const session = this.sessions.get(id);
    return session?.owner === owner ? session : undefined;
  }

  list(owner: string): SessionSummary[] {
    return [...this.sessions.values()].filter((s) => s.owner === owner).map(summaryOf);
  }

  /** Every owner's sessions, for administrators. */
  listAll(): LiveSession[] {
    return [...this.sessions.values()].map((s) => ({
      ...summaryOf(s),
      owner: s.owner,
      source: s.source,
      bytesToTarget: s.inputBytes,
      bytesFromTarget: s.outputPosition,
      flow: s.flow,
    }));
  }

  /**
   * Ends a session for its owner or an administrator; false when it does not exist for them.
   * The owner's browser is told who ended it, in words.
   */
  end(id: string, requester: { owner: string; name: string; admin: boolean }): boolean {
    const session = this.sessions.get(id);
    if (!session || !(requester.admin || session.owner === requester.owner)) return false;
    const byOwner = session.owner === requester.owner;
    session.endBy(
      requester.name,
      byOwner ? 'you, from another window' : `${requester.name} (an administrator)`,
    );
    return true;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Each session's byte counts, for the lease renewal (the audit record should this replica be lost). */
  counts(): { sessionId: string; bytesToTarget: number; bytesFromTarget: number }[] {
    return [...this.sessions.values()].map((s) => ({
      sessionId: s.id,
      bytesToTarget: s.inputBytes,
      bytesFromTarget: s.outputPosition,
    }));
  }

  /**
   * This replica was found lost and its sessions ended by another, which audited them: close
   * them all (their browsers told why) without a second audit record.
   */
  closeLost() {
    for (const session of this.sessions.values()) {
      this.endedElsewhere.add(session.id);
      session.close('its gateway replica was lost', 'REPLICA_LOST');
    }
  }

  /** Resolves once no session is left: at once when none is, else when the last one ends. */
  whenEmpty(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptied.push(resolve));
  }

  /** Closes every session and waits until their recordings are on disk. */
  async closeAll(reason: string, code?: ErrorCode): Promise<void> {
    const sessions = [...this.sessions.values()];
    for (const session of sessions) session.close(reason, code);
    await Promise.all(sessions.map((s) => s.finished));
  }
}

function summaryOf(s: Session): SessionSummary {
  return {
    sessionId: s.id,
    target: s.target,
    username: s.username,
    startedAt: s.startedAt,
    attached: s.attached,
  };
}

function endReason(end: ShellEnd, shell: SshShell, endedBy: string | undefined): SessionEndReason {
  if (endedBy !== undefined) return { reason: 'ended-by', by: endedBy };
  switch (end.kind) {
    case 'exit':
      return { reason: 'exit', code: end.code, signal: end.signal };
    case 'closed':
      return { reason: 'closed', detail: end.reason };
    case 'failure': {
      if (end.failure.code !== 'KEEPALIVE_TIMEOUT') return { reason: 'failure', code: end.failure.code };
      const { missed, countMax } = shell.heartbeat.snapshot();
      return { reason: 'keepalive-timeout', missed, countMax };
    }
  }
}
