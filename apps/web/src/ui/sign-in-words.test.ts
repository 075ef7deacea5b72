import { describe, expect, it } from 'vitest';
import {
  accountTitle,
  loginFailureText,
  loginProblem,
  PROXY_ONLY_TEXT,
  planForSignIn,
} from './sign-in-words.js';

const alice = { name: 'alice', groups: ['ops'], admin: true };

describe('planForSignIn', () => {
  it('enters at once when the gateway needs no sign-in', () => {
    expect(planForSignIn({ required: false, methods: [] })).toEqual({ kind: 'enter', user: undefined });
  });

  it('enters as the signed-in user', () => {
    expect(planForSignIn({ required: true, methods: ['local'], user: alice })).toEqual({
      kind: 'enter',
      user: alice,
    });
  });

  it('offers the password form and the SSO link for the methods the gateway has', () => {
    expect(planForSignIn({ required: true, methods: ['local'] })).toEqual({
      kind: 'sign-in',
      password: true,
      sso: false,
      note: undefined,
    });
    expect(planForSignIn({ required: true, methods: ['oidc', 'local'] })).toMatchObject({
      password: true,
      sso: true,
    });
    expect(planForSignIn({ required: true, methods: ['oidc'] })).toMatchObject({
      password: false,
      sso: true,
    });
  });

  it('explains a proxy-only gateway that did not vouch for this page', () => {
    expect(planForSignIn({ required: true, methods: ['trusted-header'] })).toEqual({
      kind: 'sign-in',
      password: false,
      sso: false,
      note: PROXY_ONLY_TEXT,
    });
  });
});

describe('loginProblem', () => {
  it('asks for what is missing, name first', () => {
    expect(loginProblem('  ', '')).toBe('Enter your user name.');
    expect(loginProblem('bob', '')).toBe('Enter your password.');
    expect(loginProblem('bob', 'pw')).toBeUndefined();
  });
});

describe('loginFailureText', () => {
  it("uses the gateway's words as a sentence", () => {
    expect(loginFailureText(401, 'wrong user name or password')).toBe('Wrong user name or password.');
    expect(loginFailureText(429, 'too many failed sign-ins for this user; try again in 15 minutes')).toBe(
      'Too many failed sign-ins for this user; try again in 15 minutes.',
    );
    expect(loginFailureText(400, 'Expected { name, password }.')).toBe('Expected { name, password }.');
  });

  it('has words of its own when the gateway gave none', () => {
    expect(loginFailureText(401, undefined)).toBe('Wrong user name or password.');
    expect(loginFailureText(429, '')).toBe('Too many sign-in attempts. Wait a while and try again.');
    expect(loginFailureText(502, undefined)).toBe('Could not reach the gateway (HTTP 502).');
    expect(loginFailureText(500, undefined)).toBe('The gateway could not sign you in (HTTP 500).');
  });
});

describe('accountTitle', () => {
  it('names the groups and the administrator role', () => {
    expect(accountTitle(alice)).toBe('Signed in to Vigil as alice (groups: ops; administrator)');
    expect(accountTitle({ name: 'bob', groups: [], admin: false })).toBe(
      'Signed in to Vigil as bob (no groups)',
    );
  });
});
