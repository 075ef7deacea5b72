import { randomBytes } from 'node:crypto';
import type { SessionSummary } from '@vigil/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayMetrics } from '../plugins/gateway-metrics.js';
import type { SshShell } from '../ssh/ssh-shell.js';
import { Session, type SessionPolicy } from './session.js';

/** All live sessions of one gateway process, by id. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly policy: SessionPolicy,
  ) {}

  create(owner: string, target: string, username: string, shell: SshShell, log: FastifyBaseLogger): Session {
    // 128 random bits: with the owner check, a session id is useless to anyone else.
    const id = randomBytes(16).toString('base64url');
    const sessionLog = log.child({ sessionId: id, target, user: username });
    const session = new Session(id, owner, target, username, shell, sessionLog, this.policy);
    this.sessions.set(id, session);
    this.metrics.activeSessions.inc();
    this.metrics.observe('ssh', shell.heartbeat);
    session.once('end', (end) => {
      this.sessions.delete(id);
      this.metrics.activeSessions.dec();
      const summary = end.kind === 'failure' ? { kind: 'failure', code: end.failure.code } : end;
      sessionLog.info(
        { end: summary, durationMs: Date.now() - session.startedAt, outputBytes: session.outputPosition },
        'session ended',
      );
    });
    return session;
  }

  /** A session only its owner can see; for anyone else it does not exist. */
  get(id: string, owner: string): Session | undefined {
    const session = this.sessions.get(id);
    return session?.owner === owner ? session : undefined;
  }

  list(owner: string): SessionSummary[] {
    return [...this.sessions.values()]
      .filter((s) => s.owner === owner)
      .map((s) => ({
        sessionId: s.id,
        target: s.target,
        username: s.username,
        startedAt: s.startedAt,
        attached: s.attached,
      }));
  }

  get size(): number {
    return this.sessions.size;
  }

  closeAll(reason: string): void {
    for (const session of this.sessions.values()) session.close(reason);
  }
}
