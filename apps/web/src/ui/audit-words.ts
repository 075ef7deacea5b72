import {
  type AuditEvent,
  type AuditEventKind,
  keyTypeLabel,
  type LiveSession,
  type SessionEndReason,
} from '@vigil/protocol';

/** The audit page's words for each kind, also the labels of its kind filter. */
export const AUDIT_KIND_LABELS: Record<AuditEventKind, string> = {
  'session-start': 'session start',
  'session-end': 'session end',
  'session-refused': 'session refused',
  'host-key': 'host key',
  'sign-in': 'sign-in',
  'recording-failed': 'recording failed',
};

const HOST_KEY_DECISIONS: Record<string, string> = {
  'accepted-on-first-use': 'accepted on first use',
  'rejected-by-person': 'rejected by the person',
  mismatch: 'refused: does not match the known key',
  unknown: 'refused: unknown key',
  revoked: 'refused: revoked key',
};

/** How the SSH sign-in was made, as a session start says it. */
const AUTH_WORDS: Record<string, string> = {
  password: 'password',
  publickey: 'their key',
  'keyboard-interactive': 'keyboard-interactive',
  'gateway-key': "the gateway's key",
};

/** Default for `auditTimeText`: the page's time zone, written as `2025-01-31 13:05:09`. */
export const AUDIT_TIME_FORMAT = new Intl.DateTimeFormat('sv-SE', {
  dateStyle: 'short',
  timeStyle: 'medium',
});

export function auditTimeText(at: number, format: Intl.DateTimeFormat = AUDIT_TIME_FORMAT): string {
  return format.format(at);
}

/** An owner as people say it: `user:alice` is alice; a browser without sign-in is cut to its first 8 characters. */
export function ownerText(owner: string): string {
  if (owner.startsWith('user:')) return owner.slice('user:'.length);
  if (owner.startsWith('browser:')) {
    const id = owner.slice('browser:'.length);
    return `browser ${id.length > 8 ? `${id.slice(0, 8)}…` : id}`;
  }
  return owner;
}

/** The gateway user (or browser) an event is about; sign-ins name the user as typed. */
export function auditWho(event: AuditEvent): string {
  return event.kind === 'sign-in' ? event.user : ownerText(event.owner);
}

/** How a session ended, e.g. "exited with status 3", "keepalive timeout (3 of 3 missed)". */
export function sessionEndText(end: SessionEndReason): string {
  switch (end.reason) {
    case 'exit':
      if (end.code !== null) return `exited with status ${end.code}`;
      if (end.signal !== null) return `killed by signal ${end.signal.replace(/^SIG/, '')}`;
      return 'closed without an exit status';
    case 'keepalive-timeout':
      return `keepalive timeout (${end.missed} of ${end.countMax} missed)`;
    case 'closed':
      return `closed: ${end.detail}`;
    case 'failure':
      return `failed (${end.code})`;
    case 'ended-by':
      return `ended by ${end.by}`;
    case 'replica-lost':
      return `its gateway replica was lost (${end.replica})`;
  }
}

/** Byte counts in binary units, as `ls -h` would: 512 B, 1.5 KiB, 12 MiB. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** 850 ms, 4.2 s, 42 s, 3 min 5 s, 2 h 7 min. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min ${whole % 60} s`;
}

/** The details column: everything an event says beyond time, kind, who, source and target. */
export function auditDetails(event: AuditEvent): string {
  switch (event.kind) {
    case 'session-start':
      return [
        `as ${event.sshUser}`,
        event.auth === undefined ? undefined : (AUTH_WORDS[event.auth] ?? event.auth),
        `session ${shortSessionId(event.sessionId)}`,
      ]
        .filter((part) => part !== undefined)
        .join(' · ');
    case 'session-end':
      return [
        `as ${event.sshUser}`,
        sessionEndText(event.end),
        `lasted ${durationText(event.durationMs)}`,
        `${bytesText(event.bytesToTarget)} sent, ${bytesText(event.bytesFromTarget)} received`,
        `session ${shortSessionId(event.sessionId)}`,
      ].join(' · ');
    case 'session-refused':
      return [event.sshUser === undefined ? undefined : `as ${event.sshUser}`, `refused (${event.code})`]
        .filter((part) => part !== undefined)
        .join(' · ');
    case 'host-key':
      return `${keyTypeLabel(event.keyType)} ${event.fingerprint} · ${
        HOST_KEY_DECISIONS[event.decision] ?? event.decision.replaceAll('-', ' ')
      }`;
    case 'recording-failed':
      return [
        `as ${event.sshUser}`,
        `not recorded from here on: ${event.reason}`,
        `session ${shortSessionId(event.sessionId)}`,
      ].join(' · ');
    case 'sign-in': {
      const outcome = event.outcome === 'throttled' ? 'refused: too many failures' : event.outcome;
      return [event.method, outcome, event.reason].filter((part) => part !== undefined).join(' · ');
    }
  }
}

/** A live session's details column: `as root · not attached · 12 B sent, 3.4 KiB received · session Zq3xP9aL`. */
export function liveSessionDetails(
  session: Pick<LiveSession, 'username' | 'attached' | 'bytesToTarget' | 'bytesFromTarget' | 'sessionId'>,
): string {
  return [
    `as ${session.username}`,
    session.attached ? 'attached' : 'not attached',
    `${bytesText(session.bytesToTarget)} sent, ${bytesText(session.bytesFromTarget)} received`,
    `session ${shortSessionId(session.sessionId)}`,
  ].join(' · ');
}

/** Start and end rows of one session share this, so they can be matched by eye. */
export function shortSessionId(sessionId: string): string {
  return sessionId.slice(0, 8);
}

/** The session whose recording a row can play: its start and its end. */
export function playableSession(event: AuditEvent): { sessionId: string; title: string } | undefined {
  if (event.kind !== 'session-start' && event.kind !== 'session-end') return undefined;
  return { sessionId: event.sessionId, title: recordingTitle(event.target, event.sshUser, event.owner) };
}

/** The player's heading: `dev-box as root, by bob`. */
export function recordingTitle(target: string, sshUser: string, owner?: string): string {
  return owner === undefined ? `${target} as ${sshUser}` : `${target} as ${sshUser}, by ${ownerText(owner)}`;
}
