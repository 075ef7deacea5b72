import type { FastifyBaseLogger } from 'fastify';
import type { TickClock } from '../heartbeat/check-ticks.js';
import type { SessionRegistry } from '../session/session-registry.js';
import { DrainCountdown, type DrainEnd } from './drain-countdown.js';

const wallClock: TickClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  afterIo: (callback) => setImmediate(callback),
};

/** What `/readyz` says while draining, so an operator sees what the replica waits for. */
export interface DrainStatus {
  sessions: number;
  /** Seconds before the drain limit closes what still runs. */
  closesInS: number;
}

/**
 * A replica taken out of rotation for a rolling restart (cluster mode, SIGTERM): readiness fails
 * so the balancer sends nothing new, no new session starts here, and the running sessions (and
 * reattaches to them) go on until the last one ends or `sessions.drainLimit` passes. `ended`
 * then says why; the caller closes the gateway as a shutdown does.
 */
export class ReplicaDrain {
  private readonly countdown: DrainCountdown;
  readonly ended: Promise<DrainEnd>;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly limitMs: number,
    private readonly log: FastifyBaseLogger,
    clock: TickClock = wallClock,
    /** Said once when the drain starts (to the other replicas); a failure is only logged. */
    private readonly announce: () => Promise<void> = async () => {},
  ) {
    let end: (why: DrainEnd) => void = () => {};
    this.ended = new Promise((resolve) => {
      end = resolve;
    });
    this.countdown = new DrainCountdown(limitMs, clock, end);
  }

  get draining(): boolean {
    return this.countdown.draining;
  }

  status(): DrainStatus | undefined {
    const leftMs = this.countdown.leftMs();
    if (leftMs === undefined) return undefined;
    return { sessions: this.registry.size, closesInS: Math.ceil(leftMs / 1000) };
  }

  /** A SIGTERM: the first starts the drain, another ends it at once. */
  signal(name: string): void {
    if (!this.draining) {
      this.log.info(
        { signal: name, sessions: this.registry.size, limitS: this.limitMs / 1000 },
        'draining: no new sessions here; running ones go on until they end or the drain limit passes',
      );
      void this.registry.whenEmpty().then(() => this.countdown.emptied());
      this.announce().catch((error: unknown) =>
        this.log.warn({ err: error }, 'could not tell the other replicas that this one drains'),
      );
    } else {
      this.log.info({ signal: name }, 'a second signal while draining: closing now');
    }
    this.countdown.signal(this.registry.size);
  }
}
