import type { AuditEvent } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import {
  auditDetails,
  auditTimeText,
  auditWho,
  bytesText,
  durationText,
  liveSessionDetails,
  ownerText,
  playableSession,
  sessionEndText,
} from './audit-words.js';

const session = {
  sessionId: 'Zq3xP9aLmN0bC1dE2fG3hI',
  owner: 'user:bob',
  source: '127.0.0.1',
  target: 'dev-box',
  sshUser: 'tester',
};
const end: AuditEvent = {
  kind: 'session-end',
  ...session,
  durationMs: 4200,
  bytesToTarget: 23,
  bytesFromTarget: 3500,
  end: { reason: 'exit', code: 0, signal: null },
};

describe('sessionEndText', () => {
  it('says how the remote shell ended', () => {
    expect(sessionEndText({ reason: 'exit', code: 3, signal: null })).toBe('exited with status 3');
    expect(sessionEndText({ reason: 'exit', code: null, signal: 'TERM' })).toBe('killed by signal TERM');
    expect(sessionEndText({ reason: 'exit', code: null, signal: 'SIGKILL' })).toBe('killed by signal KILL');
    expect(sessionEndText({ reason: 'exit', code: null, signal: null })).toBe(
      'closed without an exit status',
    );
  });

  it('counts the missed keepalives as OpenSSH does', () => {
    expect(sessionEndText({ reason: 'keepalive-timeout', missed: 3, countMax: 3 })).toBe(
      'keepalive timeout (3 of 3 missed)',
    );
  });

  it("keeps the gateway's reason for a close and the code of a failure", () => {
    expect(sessionEndText({ reason: 'closed', detail: 'the person hung up' })).toBe(
      'closed: the person hung up',
    );
    expect(sessionEndText({ reason: 'failure', code: 'CONNECTION_LOST' })).toBe('failed (CONNECTION_LOST)');
  });

  it('names who ended a session through the sessions API', () => {
    expect(sessionEndText({ reason: 'ended-by', by: 'alice' })).toBe('ended by alice');
  });

  it('says a session ended because its gateway replica was lost', () => {
    expect(sessionEndText({ reason: 'replica-lost', replica: 'r-1a2b' })).toBe(
      'its gateway replica was lost (r-1a2b)',
    );
  });
});

describe('bytesText', () => {
  it('uses binary units with one decimal below ten', () => {
    expect(bytesText(0)).toBe('0 B');
    expect(bytesText(1023)).toBe('1023 B');
    expect(bytesText(1536)).toBe('1.5 KiB');
    expect(bytesText(20 * 1024)).toBe('20 KiB');
    expect(bytesText(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});

describe('durationText', () => {
  it('grows from milliseconds to hours', () => {
    expect(durationText(850)).toBe('850 ms');
    expect(durationText(4200)).toBe('4.2 s');
    expect(durationText(42_000)).toBe('42 s');
    expect(durationText(185_000)).toBe('3 min 5 s');
    expect(durationText(2 * 3_600_000 + 7 * 60_000)).toBe('2 h 7 min');
  });
});

describe('ownerText and auditWho', () => {
  it('names gateway users plainly and shortens browser ids', () => {
    expect(ownerText('user:alice')).toBe('alice');
    expect(ownerText('browser:0123456789abcdef')).toBe('browser 01234567…');
    expect(ownerText('browser:short')).toBe('browser short');
    expect(ownerText('something-else')).toBe('something-else');
  });

  it('takes the typed user name of a sign-in', () => {
    expect(
      auditWho({ kind: 'sign-in', user: 'mallory', source: '::1', method: 'local', outcome: 'failure' }),
    ).toBe('mallory');
    expect(auditWho(end)).toBe('bob');
  });
});

describe('auditDetails', () => {
  it('sums up a session end', () => {
    expect(auditDetails(end)).toBe(
      'as tester · exited with status 0 · lasted 4.2 s · 23 B sent, 3.4 KiB received · session Zq3xP9aL',
    );
  });

  it('names the session a start belongs to', () => {
    expect(auditDetails({ kind: 'session-start', ...session })).toBe('as tester · session Zq3xP9aL');
  });

  it('says how the SSH sign-in was made, the gateway signing in with its key included', () => {
    expect(auditDetails({ kind: 'session-start', ...session, auth: 'gateway-key' })).toBe(
      "as tester · the gateway's key · session Zq3xP9aL",
    );
    expect(auditDetails({ kind: 'session-start', ...session, auth: 'publickey' })).toBe(
      'as tester · their key · session Zq3xP9aL',
    );
  });

  it('gives the code of a refusal, and the SSH user when known', () => {
    const refused = { kind: 'session-refused', owner: 'user:bob', source: '::1', target: 'x' } as const;
    expect(auditDetails({ ...refused, sshUser: 'root', code: 'AUTH_FAILED' })).toBe(
      'as root · refused (AUTH_FAILED)',
    );
    expect(auditDetails({ ...refused, code: 'TARGET_NOT_ALLOWED' })).toBe('refused (TARGET_NOT_ALLOWED)');
  });

  it('gives the fingerprint and decision of a host key', () => {
    const hostKey = {
      kind: 'host-key',
      owner: 'user:alice',
      source: '::1',
      target: 'x',
      keyType: 'ssh-ed25519',
      fingerprint: 'SHA256:abc',
    } as const;
    expect(auditDetails({ ...hostKey, decision: 'accepted-on-first-use' })).toBe(
      'ED25519 SHA256:abc · accepted on first use',
    );
    expect(auditDetails({ ...hostKey, decision: 'mismatch' })).toBe(
      'ED25519 SHA256:abc · refused: does not match the known key',
    );
    expect(auditDetails({ ...hostKey, decision: 'some-new-decision' })).toBe(
      'ED25519 SHA256:abc · some new decision',
    );
  });

  it('gives method, outcome and reason of a sign-in', () => {
    const signIn = { kind: 'sign-in', user: 'bob', source: '::1' } as const;
    expect(auditDetails({ ...signIn, method: 'local', outcome: 'success' })).toBe('local · success');
    expect(auditDetails({ ...signIn, method: 'local', outcome: 'throttled' })).toBe(
      'local · refused: too many failures',
    );
    expect(auditDetails({ ...signIn, method: 'oidc', outcome: 'failure', reason: 'state mismatch' })).toBe(
      'oidc · failure · state mismatch',
    );
  });
});

describe('playableSession', () => {
  it('plays the session of a start or end row, and nothing else', () => {
    expect(playableSession(end)).toEqual({
      sessionId: session.sessionId,
      title: 'dev-box as tester, by bob',
    });
    expect(playableSession({ kind: 'session-start', ...session })?.sessionId).toBe(session.sessionId);
    expect(
      playableSession({ kind: 'sign-in', user: 'bob', source: '::1', method: 'local', outcome: 'success' }),
    ).toBeUndefined();
  });
});

describe('auditTimeText', () => {
  it('writes date and time to the second, in the given zone', () => {
    const utc = new Intl.DateTimeFormat('sv-SE', {
      dateStyle: 'short',
      timeStyle: 'medium',
      timeZone: 'UTC',
    });
    expect(auditTimeText(Date.UTC(2025, 0, 31, 13, 5, 9), utc)).toBe('2025-01-31 13:05:09');
  });
});

describe('liveSessionDetails', () => {
  it('sums up a live session for the administrator', () => {
    const live = {
      sessionId: 'Zq3xP9aLmore',
      username: 'root',
      attached: false,
      bytesToTarget: 12,
      bytesFromTarget: 3500,
    };
    expect(liveSessionDetails(live)).toBe(
      'as root · not attached · 12 B sent, 3.4 KiB received · session Zq3xP9aL',
    );
    expect(liveSessionDetails({ ...live, attached: true })).toContain('· attached ·');
  });
});
