import { type LiveSession, parseLiveSessions } from '@vigil/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { ClusterState } from './cluster-state.js';
import { HOP_HEADER, type HopPurpose, type HopRequester, type HopTokens } from './hop-token.js';

/** How long a list or an end waits for another replica before leaving it out. */
const PEER_TIMEOUT_MS = 3_000;

export const INTERNAL_SESSIONS_PATH = '/internal/sessions';

export type AttachRoute =
  | { kind: 'remote'; url: string; token: string }
  | { kind: 'not-found' }
  | { kind: 'replica-lost' };

export type RemoteEnd = 'ended' | 'not-found' | 'unreachable';

/**
 * What this replica asks of the others: where a session lives (from the directory), every
 * replica's sessions for a list, and an end carried to the owner. Each call carries a token
 * minted for its one purpose; the owner serves only its own sessions, so there is never a
 * second hop.
 */
export class ReplicaPeers {
  constructor(
    private readonly state: ClusterState,
    private readonly tokens: HopTokens,
    private readonly self: () => string,
    private readonly log: FastifyBaseLogger,
  ) {}

  private mint(purpose: HopPurpose, requester: HopRequester, sessionId?: string): string {
    return this.tokens.mint({
      purpose,
      requester,
      from: this.self(),
      ...(sessionId === undefined ? {} : { sessionId }),
    });
  }

  /** Throws when the directory cannot be read (the database is away). */
  async routeAttach(sessionId: string, requester: HopRequester): Promise<AttachRoute> {
    const where = await this.state.findSession(sessionId);
    // "Not yours" looks like "does not exist", as on one replica.
    if (where === undefined || where.owner !== requester.owner) return { kind: 'not-found' };
    if (where.state === 'replica-lost') return { kind: 'replica-lost' };
    // Our own row for a session we do not hold is stale (closing right now): nothing to route to.
    if (where.replicaId === this.self() || where.url === undefined) return { kind: 'not-found' };
    return { kind: 'remote', url: where.url, token: this.mint('attach', requester, sessionId) };
  }

  /**
   * Sessions on every other replica: the requester's own, or (`all`, administrators) everyone's.
   * Replicas that do not answer in time are left out (and logged) rather than failing the list.
   */
  async sessionsElsewhere(requester: HopRequester, scope: 'own' | 'all'): Promise<LiveSession[]> {
    const others = (await this.state.replicas()).filter((r) => r.id !== this.self());
    const lists = await Promise.all(
      others.map(async (replica) => {
        try {
          const url = new URL(INTERNAL_SESSIONS_PATH, replica.url);
          url.searchParams.set('scope', scope);
          const response = await fetch(url, {
            headers: { [HOP_HEADER]: this.mint('list', requester) },
            signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
          });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return parseLiveSessions(await response.json());
        } catch (error) {
          this.log.warn({ err: error, replica: replica.id }, 'a replica did not list its sessions');
          return [];
        }
      }),
    );
    return lists.flat();
  }

  /** Carries an end to the session's owner. */
  async end(sessionId: string, requester: HopRequester): Promise<RemoteEnd> {
    const where = await this.state.findSession(sessionId);
    if (where?.state !== 'live' || where.url === undefined || where.replicaId === this.self())
      return 'not-found';
    if (!requester.admin && where.owner !== requester.owner) return 'not-found';
    try {
      const response = await fetch(
        new URL(`${INTERNAL_SESSIONS_PATH}/${encodeURIComponent(sessionId)}`, where.url),
        {
          method: 'DELETE',
          headers: { [HOP_HEADER]: this.mint('end', requester, sessionId) },
          signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
        },
      );
      if (response.status === 204) return 'ended';
      if (response.status === 404) return 'not-found';
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      this.log.warn(
        { err: error, replica: where.replicaId, sessionId },
        'could not carry an end to the owning replica',
      );
      return 'unreachable';
    }
  }
}
