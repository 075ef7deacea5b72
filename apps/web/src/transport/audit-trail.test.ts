import { describe, expect, it } from 'vitest';
import { AUDIT_PAGE_SIZE, auditQuery, fetchAuditPage } from './audit-trail.js';

const noFilters = { kind: '', target: '', owner: '' } as const;
const signIn = {
  id: 7,
  at: 1,
  event: { kind: 'sign-in', user: 'bob', source: '::1', method: 'local', outcome: 'success' },
};

function answering(body: unknown, init: ResponseInit = {}, seen: string[] = []): typeof fetch {
  return async (input) => {
    seen.push(String(input));
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), init);
  };
}

describe('auditQuery', () => {
  it('asks for a page of the default size without filters', () => {
    expect(auditQuery(noFilters)).toBe(`order=newest&limit=${AUDIT_PAGE_SIZE}`);
  });

  it('sends the filters that are set, trimmed, and the page before the oldest row shown', () => {
    expect(auditQuery({ kind: 'session-end', target: ' dev-box ', owner: '' }, 41, 10)).toBe(
      'kind=session-end&target=dev-box&beforeId=41&order=newest&limit=10',
    );
  });

  it('reads a plain owner name as a gateway user and keeps a written-out owner', () => {
    expect(auditQuery({ ...noFilters, owner: 'bob' })).toContain('owner=user%3Abob');
    expect(auditQuery({ ...noFilters, owner: 'browser:abc' })).toContain('owner=browser%3Aabc');
  });
});

describe('fetchAuditPage', () => {
  it('reads the rows of the page asked for', async () => {
    const seen: string[] = [];
    expect(await fetchAuditPage('limit=5', answering([signIn], {}, seen))).toEqual({
      ok: true,
      rows: [signIn],
    });
    expect(seen).toEqual(['/api/audit?limit=5']);
  });

  it('says the audit trail is for administrators on a 403', async () => {
    expect(
      await fetchAuditPage('', answering({ error: 'the audit log is for administrators' }, { status: 403 })),
    ).toEqual({
      ok: false,
      message: 'The audit trail is for administrators.',
    });
  });

  it("passes on the gateway's reason for a bad query", async () => {
    expect(await fetchAuditPage('limit=0', answering({ error: 'Too small' }, { status: 400 }))).toEqual({
      ok: false,
      message: 'The gateway could not list the audit trail (HTTP 400: Too small).',
    });
  });

  it('names the field of a row it cannot read', async () => {
    const result = await fetchAuditPage('', answering([{ ...signIn, id: 'seven' }]));
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/^The audit trail could not be read \(0\.id: /),
    });
  });

  it('says when the gateway cannot be reached', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchAuditPage('', failing)).toEqual({
      ok: false,
      message: 'Could not reach the gateway (Failed to fetch).',
    });
  });
});
