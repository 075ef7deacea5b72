import { describe, expect, it } from 'vitest';
import { isConnectionFailure } from './shared-query.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionFailure', () => {
  it('takes refused, reset and timed-out sockets for an outage', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'])
      expect(isConnectionFailure(withCode(code)), code).toBe(true);
  });

  it("takes a server shutting down, starting up or out of connections for one (PostgreSQL's SQLSTATEs)", () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '53300', '53100'])
      expect(isConnectionFailure(withCode(code)), code).toBe(true);
  });

  it("takes node-postgres's own words for a dead or unobtainable connection for one", () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
      'Query read timeout',
    ])
      expect(isConnectionFailure(new Error(message)), message).toBe(true);
  });

  it('takes a connection to any of several addresses failing for one', () => {
    const error = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], '');
    expect(isConnectionFailure(error)).toBe(true);
  });

  it('does not hide a mistake in the statement or a broken constraint', () => {
    for (const code of ['42P01', '42601', '23505', '22P02', '40001'])
      expect(isConnectionFailure(withCode(code)), code).toBe(false);
    expect(isConnectionFailure(new TypeError('undefined is not a function'))).toBe(false);
    expect(isConnectionFailure('ECONNREFUSED')).toBe(false);
  });
});
