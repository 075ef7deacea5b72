import { describe, expect, it } from 'vitest';
import { connectedText, connectionLostText, exitStatusText, hostKeyQuestion } from './session-words.js';

describe('exitStatusText', () => {
  it('gives the exit status', () => {
    expect(exitStatusText({ code: 0, signal: null })).toBe('remote shell exited with status 0');
    expect(exitStatusText({ code: 130, signal: null })).toBe('remote shell exited with status 130');
  });

  it('names the signal without a SIG prefix', () => {
    expect(exitStatusText({ code: null, signal: 'TERM' })).toBe('remote shell killed by signal TERM');
    expect(exitStatusText({ code: null, signal: 'SIGKILL' })).toBe('remote shell killed by signal KILL');
  });

  it('says so when the server gave neither', () => {
    expect(exitStatusText({ code: null, signal: null })).toBe('remote shell closed without an exit status');
  });
});

describe('connectedText', () => {
  it('names target and user', () => {
    expect(connectedText({ target: 'demo', username: 'alice' })).toBe('connected to demo as alice');
  });
});

describe('connectionLostText', () => {
  it('tells a lost connection from one that never opened', () => {
    expect(connectionLostText({ everOpen: true, closeCode: 1006 })).toBe('Connection to gateway lost');
    expect(connectionLostText({ everOpen: false, closeCode: 1006 })).toBe('Could not connect to the gateway');
  });

  it('says how long the gateway was silent when the page gave up on it', () => {
    expect(connectionLostText({ everOpen: true, closeCode: 1006, silentMs: 65_020 })).toBe(
      'Connection to gateway lost (nothing heard from it for 65 s)',
    );
  });
});

describe('hostKeyQuestion', () => {
  it('names host, key type and fingerprint as OpenSSH does', () => {
    const offer = { host: '127.0.0.1', port: 2222, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' };
    expect(hostKeyQuestion(offer)).toEqual({
      host: '[127.0.0.1]:2222',
      keyType: 'ED25519',
      fingerprint: 'SHA256:abc',
    });
    expect(hostKeyQuestion({ ...offer, port: 22, keyType: 'ssh-rsa' })).toMatchObject({
      host: '127.0.0.1',
      keyType: 'RSA',
    });
  });
});
