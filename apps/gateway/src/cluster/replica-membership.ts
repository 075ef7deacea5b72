import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import type { SessionDirectory } from '../session/session-registry.js';
import type { ClusterState, DirectoryEntry, LostSession, SessionCounts } from './cluster-state.js';
import { LeaseSchedule, SWEEP_EVERY_MS } from './lease-schedule.js';

/** A replica's id: new on every start and every rejoin, so a stale replica never passes for a live one. */
export function newReplicaId(): string {
  return `r-${randomBytes(6).toString('base64url')}`;
}

export interface MembershipHooks {
  /** The sessions this replica holds, with their counts, for the lease renewal. */
  sessions(): SessionCounts[];
  /**
   * Others swept this replica (it did not renew in time): its sessions were ended and audited
   * on its behalf, so it must stop serving them now, without auditing them again.
   */
  lost(): void;
}

/**
 * This replica's place in the cluster: its lease (renewed on the database's clock), its entries
 * in the directory of live sessions, and its share of sweeping replicas that stopped renewing.
 * The database being away costs nothing but retries: sessions go on, directory removals wait.
 */
export class ReplicaMembership implements SessionDirectory {
  private replicaId = newReplicaId();
  private schedule: LeaseSchedule;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private sweeping = false;
  private joined = false;
  private stopped = false;
  /** Sessions that ended while the database was away: their directory rows go on the next renewal. */
  private readonly pendingRemovals = new Set<string>();

  private constructor(
    private readonly state: ClusterState,
    private readonly options: { url: string; leaseSeconds: number },
    private readonly audit: AuditLog,
    private readonly log: FastifyBaseLogger,
    private readonly hooks: MembershipHooks,
  ) {
    this.schedule = new LeaseSchedule(options.leaseSeconds, Date.now());
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref();
  }

  /** Joins the cluster; throws (and leaves nothing running) when the database refuses. */
  static async join(
    state: ClusterState,
    options: { url: string; leaseSeconds: number },
    audit: AuditLog,
    log: FastifyBaseLogger,
    hooks: MembershipHooks,
  ): Promise<ReplicaMembership> {
    const membership = new ReplicaMembership(state, options, audit, log, hooks);
    try {
      await membership.register();
    } catch (error) {
      membership.stop();
      throw error;
    }
    return membership;
  }

  get id(): string {
    return this.replicaId;
  }

  private async register() {
    await this.state.join({ id: this.replicaId, url: this.options.url }, this.options.leaseSeconds);
    this.joined = true;
    this.schedule = new LeaseSchedule(this.options.leaseSeconds, Date.now());
    this.log.info(
      { replica: this.replicaId, url: this.options.url, leaseSeconds: this.options.leaseSeconds },
      'joined the cluster',
    );
    this.scheduleRenewal();
  }

  private scheduleRenewal() {
    if (this.stopped) return;
    clearTimeout(this.renewTimer);
    const delay = Math.max(0, this.schedule.renewAt() - Date.now());
    this.renewTimer = setTimeout(() => void this.renew(), delay).unref();
  }

  private async renew() {
    try {
      if (!this.joined) {
        // Lost earlier and the database was away for the rejoin: try again.
        await this.register();
        return;
      }
      const renewed = await this.state.renew(
        this.replicaId,
        this.options.leaseSeconds,
        this.hooks.sessions(),
      );
      if (!renewed) {
        this.onLost();
        return;
      }
      this.schedule.renewed(Date.now());
      await this.removePending();
    } catch (error) {
      this.schedule.renewFailed(Date.now());
      this.log.warn({ err: error, replica: this.replicaId }, 'could not renew the lease; retrying');
    }
    this.scheduleRenewal();
  }

  /** Our row is gone: others judged us dead and ended our sessions. Stop serving them, then come back new. */
  private onLost() {
    this.log.error(
      { replica: this.replicaId },
      'this replica lost its lease (it did not renew in time); closing its sessions, which the others ended',
    );
    this.joined = false;
    this.pendingRemovals.clear();
    this.hooks.lost();
    this.replicaId = newReplicaId();
    this.renew().catch(() => undefined);
  }

  private async removePending() {
    for (const sessionId of [...this.pendingRemovals]) {
      await this.state.removeSession(sessionId);
      this.pendingRemovals.delete(sessionId);
    }
  }

  private async sweep() {
    if (this.sweeping || !this.joined || !this.schedule.maySweep(Date.now())) return;
    this.sweeping = true;
    try {
      for (const lost of await this.state.sweep()) this.auditLost(lost);
    } catch (error) {
      this.log.warn({ err: error }, 'could not sweep expired replicas; trying again');
    } finally {
      this.sweeping = false;
    }
  }

  private auditLost(lost: LostSession) {
    const { sessionId, owner, source, target, sshUser, replicaId } = lost;
    const end = { reason: 'replica-lost' as const, replica: replicaId };
    this.log.warn(
      { sessionId, owner, target, replica: replicaId },
      'session ended: its gateway replica was lost',
    );
    this.audit.record({
      kind: 'session-end',
      sessionId,
      owner,
      source,
      target,
      sshUser,
      durationMs: Date.now() - lost.startedAt,
      bytesToTarget: lost.bytesToTarget,
      bytesFromTarget: lost.bytesFromTarget,
      end,
    });
  }

  countOwned(owner: string): Promise<number> {
    return this.state.countOwned(owner);
  }

  async add(entry: Omit<DirectoryEntry, 'replicaId'>): Promise<void> {
    await this.state.addSession({ ...entry, replicaId: this.replicaId });
  }

  remove(sessionId: string): void {
    this.state.removeSession(sessionId).catch((error: unknown) => {
      this.log.warn({ err: error, sessionId }, 'could not remove an ended session from the directory yet');
      this.pendingRemovals.add(sessionId);
    });
  }

  /** Draining: the others and the admin page see that this replica takes no new sessions. */
  async drain(): Promise<void> {
    await this.state.markDraining(this.replicaId);
  }

  private stop() {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearInterval(this.sweepTimer);
  }

  /** After every session here closed (and was audited): leave, so nobody sweeps us for a crash. */
  async leave(): Promise<void> {
    this.stop();
    if (!this.joined) return;
    try {
      await this.state.leave(this.replicaId);
    } catch (error) {
      // Shutting down without the database: the others sweep our row when the lease runs out,
      // and every session here was closed already, its end queued in the audit trail.
      this.log.warn(
        { err: error, replica: this.replicaId },
        'could not leave the cluster; the lease will run out',
      );
    }
  }
}
