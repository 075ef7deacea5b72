import { RttWindow } from './rtt-window.js';

/** ssh_config(5) options, with OpenSSH's names and units. */
export interface ServerAliveOptions {
  /** Seconds of silence from the server before a keepalive is sent; 0 turns heartbeats off. */
  serverAliveInterval: number;
  /** Unanswered keepalives tolerated; when a check finds the count past this, give up. @default 3 */
  serverAliveCountMax: number;
  /**
   * How late the caller may run a due check because it wakes on a shared grid (the gateway's
   * heartbeat ticks). A check run at most this late schedules the next one from its due time,
   * so the lateness does not add up beat after beat; later than that (a stalled process), from
   * now less this, so the server still gets nearly a whole interval to answer. @default 0
   */
  checkGrainMs?: number;
}

export type ServerAliveState = 'off' | 'live' | 'missed' | 'lost';

/** What the I/O shell must do now. */
export type ServerAliveDecision =
  | { kind: 'wait' }
  /** Send `keepalive@openssh.com` (want-reply) and report its reply with this id. */
  | { kind: 'send'; id: number }
  /** Disconnect: "Timeout, server HOST not responding." */
  | { kind: 'timeout' };

export interface ServerAliveSnapshot {
  state: ServerAliveState;
  /** Keepalives that went a whole interval unanswered (OpenSSH's count less the one just sent). */
  missed: number;
  countMax: number;
  intervalMs: number;
  lastRttMs: number | undefined;
  rttP50Ms: number | undefined;
  rttP95Ms: number | undefined;
  /** Milliseconds since the last keepalive reply, or undefined before the first. */
  lastReplyAgoMs: number | undefined;
}

/**
 * OpenSSH's client keepalive (clientloop.c `server_alive_check`, packet.c) as a pure machine:
 * - a check is due `interval` after the last packet received from the server, or after the last check;
 * - a due check adds one to the count; past `countMax` it gives up, otherwise it sends a keepalive;
 * - any packet from the server (a reply included) resets the count to 0.
 * Timeline, interval 1 s, max 3, silence from t=0: keepalives at 1, 2, 3; timeout at 4.
 * Vigil adds round-trip times, matched to each keepalive by id, and one uncounted `probe` so
 * that a figure exists before the first interval of silence has passed.
 */
export class ServerAliveMonitor {
  private readonly intervalMs: number;
  private count = 0;
  private nextCheckAt: number | undefined;
  private nextId = 1;
  /** Sent time of each unanswered request, and whether it is a counted keepalive or a probe. */
  private readonly outstanding = new Map<number, { sentAt: number; counted: boolean }>();
  private readonly rtts = new RttWindow();
  private lastReplyAt: number | undefined;
  private lost = false;

  constructor(
    private readonly options: ServerAliveOptions,
    now: number,
  ) {
    this.intervalMs = Math.max(0, options.serverAliveInterval) * 1000;
    if (this.intervalMs > 0) this.nextCheckAt = now + this.intervalMs;
  }

  /** When the shell should call `check` next; undefined when heartbeats are off or over. */
  get nextCheck(): number | undefined {
    return this.lost ? undefined : this.nextCheckAt;
  }

  /** Any bytes from the server: proof of life, as every packet is to ssh(1). */
  received(now: number): void {
    if (this.lost || this.intervalMs === 0) return;
    this.count = 0;
    this.nextCheckAt = now + this.intervalMs;
  }

  /**
   * The server answered request `id` (success or failure both count: it is a reply).
   * Returns its round trip, or undefined for an id that is unknown or already settled.
   */
  replied(id: number, now: number): number | undefined {
    const answered = this.outstanding.get(id);
    if (answered === undefined) return undefined;
    // Replies come in request order (RFC 4254 §4), so older requests are answered too.
    let countedReply = false;
    for (const [pending, { counted }] of this.outstanding) {
      this.outstanding.delete(pending);
      countedReply ||= counted;
      if (pending === id) break;
    }
    const rtt = now - answered.sentAt;
    this.rtts.add(rtt);
    this.lastReplyAt = now;
    // Only a reply to a counted keepalive is OpenSSH's business; a probe's reply is a figure only.
    if (countedReply) this.received(now);
    return rtt;
  }

  /**
   * An uncounted request, sent at once to measure a round trip: it never adds to the count and
   * its reply neither resets the count nor moves the next check. Returns its id, or undefined
   * when heartbeats are off (ssh(1) sends nothing then) or over.
   */
  uncountedProbe(now: number): number | undefined {
    if (this.lost || this.intervalMs === 0) return undefined;
    const id = this.nextId++;
    this.outstanding.set(id, { sentAt: now, counted: false });
    return id;
  }

  /** Whether any round trip has been measured yet: before it the badge has no figure to show. */
  get measured(): boolean {
    return this.rtts.count > 0;
  }

  check(now: number): ServerAliveDecision {
    if (this.lost || this.nextCheckAt === undefined || now < this.nextCheckAt) return { kind: 'wait' };
    this.count += 1;
    if (this.count > this.options.serverAliveCountMax) {
      this.lost = true;
      return { kind: 'timeout' };
    }
    const id = this.nextId++;
    this.outstanding.set(id, { sentAt: now, counted: true });
    const checkedAt = Math.max(this.nextCheckAt, now - (this.options.checkGrainMs ?? 0));
    this.nextCheckAt = checkedAt + this.intervalMs;
    return { kind: 'send', id };
  }

  /** Keepalives that went a whole interval unanswered (OpenSSH's count less the one just sent). */
  get missed(): number {
    return this.lost ? this.options.serverAliveCountMax : Math.max(0, this.count - 1);
  }

  get state(): ServerAliveState {
    if (this.intervalMs === 0) return 'off';
    if (this.lost) return 'lost';
    return this.missed > 0 ? 'missed' : 'live';
  }

  snapshot(now: number): ServerAliveSnapshot {
    return {
      state: this.state,
      missed: this.missed,
      countMax: this.options.serverAliveCountMax,
      intervalMs: this.intervalMs,
      lastRttMs: this.rtts.last,
      rttP50Ms: this.rtts.percentile(50),
      rttP95Ms: this.rtts.percentile(95),
      lastReplyAgoMs: this.lastReplyAt === undefined ? undefined : now - this.lastReplyAt,
    };
  }
}
