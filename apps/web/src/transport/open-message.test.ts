import { PROTOCOL_VERSION, parseClientMessage } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { checkSignInRequest, openMessage, type SignInRequest } from './open-message.js';

const password: SignInRequest = {
  target: 'demo',
  username: 'alice',
  auth: { method: 'password', password: 'pw' },
};

describe('openMessage', () => {
  it('builds an open message the gateway parses, with the protocol version and size', () => {
    const message = openMessage(password, { cols: 132, rows: 43 });
    expect(message).toMatchObject({ type: 'open', protocol: PROTOCOL_VERSION, cols: 132, rows: 43 });
    expect(parseClientMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });
});

describe('checkSignInRequest', () => {
  it('accepts a complete request', () => {
    expect(checkSignInRequest(password)).toBeUndefined();
    expect(checkSignInRequest({ target: 'demo', auth: { method: 'keyboard-interactive' } })).toBeUndefined();
  });

  it('names the field of a request the gateway would refuse', () => {
    const empty: SignInRequest = { target: 'demo', auth: { method: 'publickey', privateKey: '' } };
    expect(checkSignInRequest(empty)).toMatch(/^This sign-in cannot be sent: auth\.privateKey: /);
  });

  it('says when the request is over the control message limit', () => {
    const huge: SignInRequest = {
      target: 'demo',
      auth: { method: 'password', password: '€'.repeat(30_000) },
    };
    expect(checkSignInRequest(huge)).toMatch(/too large/);
  });
});
