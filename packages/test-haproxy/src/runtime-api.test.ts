import { describe, expect, it } from 'vitest';
import { serverStatuses } from './runtime-api.js';

// Trimmed from HAProxy 2.6's `show stat`: the real answer has some 90 columns.
const SHOW_STAT = [
  '# pxname,svname,qcur,status,weight',
  'vigil,FRONTEND,,OPEN,',
  'replicas,replica-1,0,UP,1',
  'replicas,replica-2,0,DOWN,1',
  'replicas,replica-3,0,UP 1/2,1',
  'replicas,BACKEND,0,UP,2',
  'pin-replica-1,replica-1,0,no check,1',
  '',
].join('\n');

describe('serverStatuses', () => {
  it("reads each server's status in one backend, by column name", () => {
    expect(serverStatuses(SHOW_STAT, 'replicas')).toEqual(
      new Map([
        ['replica-1', 'UP'],
        ['replica-2', 'DOWN'],
        ['replica-3', 'UP 1/2'],
      ]),
    );
  });

  it('says so when the answer is not a stat table', () => {
    expect(() => serverStatuses('Unknown command', 'replicas')).toThrow('unexpected answer');
  });
});
