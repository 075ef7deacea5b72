import { describe, expect, it } from 'vitest';
import { parseAuditRows } from './audit-trail.js';

const start = {
  kind: 'session-start',
  sessionId: 'AAAAAAAAAAAAAAAAAAAAAA',
  owner: 'user:bob',
  source: '127.0.0.1',
  target: 'dev-box',
  sshUser: 'tester',
};

describe('parseAuditRows', () => {
  it('reads every kind of event the gateway writes', () => {
    const rows = [
      { id: 1, at: 1_700_000_000_000, event: start },
      {
        id: 2,
        at: 1_700_000_004_000,
        event: {
          ...start,
          kind: 'session-end',
          durationMs: 4000,
          bytesToTarget: 12,
          bytesFromTarget: 345,
          end: { reason: 'keepalive-timeout', missed: 3, countMax: 3 },
        },
      },
      {
        id: 3,
        at: 1,
        event: {
          kind: 'session-refused',
          owner: 'user:bob',
          source: '::1',
          target: 'x',
          code: 'AUTH_FAILED',
        },
      },
      {
        id: 4,
        at: 2,
        event: {
          kind: 'host-key',
          owner: 'browser:abc',
          source: '::1',
          target: 'x',
          keyType: 'ssh-ed25519',
          fingerprint: 'SHA256:abc',
          decision: 'accepted-on-first-use',
        },
      },
      {
        id: 5,
        at: 3,
        event: { kind: 'sign-in', user: 'bob', source: '::1', method: 'local', outcome: 'failure' },
      },
    ];
    expect(parseAuditRows(rows)).toEqual(rows);
  });

  it('ignores fields it does not know, so a newer gateway can add some', () => {
    const [row] = parseAuditRows([{ id: 1, at: 1, event: { ...start, tty: 'pts/0' }, extra: true }]);
    expect(row).toEqual({ id: 1, at: 1, event: start });
  });

  it('names the bad field of a row it cannot read', () => {
    expect(() => parseAuditRows([{ id: 1, at: 1, event: { ...start, kind: 'reboot' } }])).toThrow(/kind/);
    expect(() => parseAuditRows([{ id: 'one', at: 1, event: start }])).toThrow(/id/);
  });
});
