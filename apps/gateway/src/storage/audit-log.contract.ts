import { expect, it } from 'vitest';
import type { AuditEvent, AuditLog } from '../audit/audit-log.js';

/** Test events shared by both sides' tests. */
const session = { sessionId: 's1', owner: 'alice', source: '127.0.0.1', target: 'web-1', sshUser: 'deploy' };
export const START: Extract<AuditEvent, { kind: 'session-start' }> = {
  kind: 'session-start',
  ...session,
  auth: 'password',
};
export const END: Extract<AuditEvent, { kind: 'session-end' }> = {
  ...session,
  kind: 'session-end',
  durationMs: 1234,
  bytesToTarget: 10,
  bytesFromTarget: 2000,
  end: { reason: 'keepalive-timeout', missed: 3, countMax: 3 },
};

/**
 * What every side of the storage seam must answer alike (run by each side's test file, inside its
 * describe): `open` gives an empty audit log, `written` waits until what was recorded can be read.
 */
export function auditLogContract(open: () => Promise<AuditLog>, written: (log: AuditLog) => Promise<void>) {
  it('filters by kind, owner, target, session and pages by id', async () => {
    const log = await open();
    log.record(START);
    log.record({ ...START, sessionId: 's2', owner: 'bob', target: 'db' });
    log.record(END);
    await written(log);
    const first = (await log.query({}))[0]?.id ?? 0;
    expect((await log.query({ owner: 'bob' })).map((r) => r.event.kind)).toEqual(['session-start']);
    expect(await log.query({ kind: 'session-end' })).toHaveLength(1);
    expect(await log.query({ sessionId: 's1' })).toHaveLength(2);
    expect(await log.query({ target: 'db' })).toHaveLength(1);
    expect((await log.query({ afterId: first + 1 })).map((r) => r.id)).toEqual([first + 2]);
    expect(await log.query({ limit: 1 })).toHaveLength(1);
    expect((await log.query({ sessionId: 's2' }))[0]?.event).toEqual({
      ...START,
      sessionId: 's2',
      owner: 'bob',
      target: 'db',
    });
    await log.close();
  });

  it('reads newest first and pages back, as a person looks for what just happened', async () => {
    const log = await open();
    for (let i = 0; i < 5; i++) log.record({ ...START, sessionId: `s${i}` });
    await written(log);
    const first = (await log.query({}))[0]?.id ?? 0;
    const ids = async (query: Parameters<typeof log.query>[0]) =>
      (await log.query(query)).map((r) => r.id - first + 1);
    expect(await ids({ newestFirst: true, limit: 2 })).toEqual([5, 4]);
    expect(await ids({ newestFirst: true, beforeId: first + 3, limit: 2 })).toEqual([3, 2]);
    expect(await ids({ newestFirst: true, beforeId: first + 1, limit: 2 })).toEqual([1]);
    expect(await ids({ beforeId: first + 2 })).toEqual([1, 2]);
    await log.close();
  });
}
