import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayMetrics } from '../plugins/gateway-metrics.js';
import type { SshShell } from '../ssh/ssh-shell.js';
import { Session } from './session.js';

/** All live sessions of one gateway process, by id. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly metrics: GatewayMetrics) {}

  create(target: string, username: string, shell: SshShell, log: FastifyBaseLogger): Session {
    // 128 random bits: a session id is a capability a browser presents to reattach.
    const id = randomBytes(16).toString('base64url');
    const session = new Session(
      id,
      target,
      username,
      shell,
      log.child({ sessionId: id, target, user: username }),
    );
    this.sessions.set(id, session);
    this.metrics.activeSessions.inc();
    this.metrics.observe('ssh', shell.heartbeat);
    session.once('end', (end) => {
      this.sessions.delete(id);
      this.metrics.activeSessions.dec();
      session.log.info(
        {
          end: end.kind === 'failure' ? { kind: 'failure', code: end.failure.code } : end,
          durationMs: Date.now() - session.startedAt,
        },
        'session ended',
      );
    });
    return session;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  closeAll(): void {
    for (const session of this.sessions.values()) session.close();
  }
}
