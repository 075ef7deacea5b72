import type { LegHealth } from '@vigil/protocol';

/**
 * What the badge shows; `data-state` on `#health-badge`. The SSH leg's own states are taken as
 * they are (it is the leg whose loss ends the session); the page adds the rest.
 */
export type BadgeState = LegHealth['state'] | 'connecting' | 'reconnecting';

/**
 * The badge's words, split so the live region can announce state changes without reading out
 * every new round trip: `word` is announced, `detail` (the RTT) is only shown.
 */
export function badgeWords(
  state: BadgeState,
  ssh?: Pick<LegHealth, 'missed' | 'countMax' | 'lastRttMs'>,
): { word: string; detail: string } {
  switch (state) {
    case 'connecting':
      return { word: 'connecting…', detail: '' };
    case 'live':
      return { word: 'live', detail: ssh?.lastRttMs === undefined ? '' : ` · ${rttText(ssh.lastRttMs)}` };
    case 'missed':
      return { word: `missed ${ssh?.missed ?? '?'} of ${ssh?.countMax ?? '?'}`, detail: '' };
    case 'lost':
      return { word: 'lost — server not responding', detail: '' };
    case 'reconnecting':
      return { word: 'reconnecting…', detail: '' };
    case 'off':
      return { word: 'heartbeats off', detail: '' };
  }
}

/** A round trip: one decimal below 10 ms (loopback and LAN are sub-millisecond), whole above. */
export function rttText(ms: number): string {
  const tenths = Math.round(ms * 10) / 10;
  return tenths < 10 ? `${tenths.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** A heartbeat interval as ssh_config(5) gives it, in seconds; 0 is OpenSSH's "off". */
export function intervalText(ms: number): string {
  if (ms <= 0) return 'off';
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** Time since the last reply: tenths of a second below 10 s, then seconds, then minutes. */
export function agoText(ms: number): string {
  if (ms < 9950) return `${(ms / 1000).toFixed(1)} s ago`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s ago`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s ago`;
}

const LEG_STATE_WORDS: Record<LegHealth['state'], string> = {
  off: 'off',
  live: 'live',
  missed: 'missing replies',
  lost: 'lost',
};

/** The details panel's cells for one leg, keyed as `[data-health="<leg>-<key>"]`. */
export type LegDetailKey =
  | 'state'
  | 'interval'
  | 'count-max'
  | 'last-rtt'
  | 'rtt-p50'
  | 'rtt-p95'
  | 'last-reply';

const NONE = '—';

/**
 * One leg's details. `sinceReceiptMs` is how long ago the health message arrived: the gateway's
 * "last reply ago" was true then, and grows while the panel stays open.
 */
export function legDetails(leg: LegHealth, sinceReceiptMs: number): Record<LegDetailKey, string> {
  const rtt = (ms: number | undefined) => (ms === undefined ? NONE : rttText(ms));
  const missed = leg.state === 'missed' || leg.state === 'lost' ? ` (${leg.missed} of ${leg.countMax})` : '';
  return {
    state: LEG_STATE_WORDS[leg.state] + missed,
    interval: intervalText(leg.intervalMs),
    'count-max': String(leg.countMax),
    'last-rtt': rtt(leg.lastRttMs),
    'rtt-p50': rtt(leg.rttP50Ms),
    'rtt-p95': rtt(leg.rttP95Ms),
    'last-reply': leg.lastReplyAgoMs === undefined ? NONE : agoText(leg.lastReplyAgoMs + sinceReceiptMs),
  };
}

export function tcpKeepAliveText(on: boolean): string {
  return on ? 'on' : 'off';
}

/** The badge's tooltip: the SSH leg in one sentence, for a pointer resting on it. */
export function badgeTitle(ssh: LegHealth | undefined): string {
  const more = 'Select for connection details.';
  if (!ssh) return more;
  if (ssh.state === 'off') return `SSH heartbeats are off for this target. ${more}`;
  const last = ssh.lastRttMs === undefined ? '' : `; last round trip ${rttText(ssh.lastRttMs)}`;
  return `SSH heartbeat every ${intervalText(ssh.intervalMs)}, up to ${ssh.countMax} missed${last}. ${more}`;
}
