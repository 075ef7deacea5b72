import { describe, expect, it } from 'vitest';
import {
  connectedText,
  connectionLostText,
  endSessionQuestion,
  exitStatusText,
  hostKeyQuestion,
  lostOutputText,
  openRetryingText,
  reattachedText,
  reconnectingText,
  sessionSummaryText,
} from './session-words.js';

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

describe('reattachedText', () => {
  it('names target and user', () => {
    expect(reattachedText({ target: 'demo', username: 'alice' })).toBe('reattached to demo as alice');
  });
});

describe('openRetryingText', () => {
  it('says the replica is restarting and counts the tries', () => {
    expect(openRetryingText(2, 6)).toBe(
      'This gateway replica is restarting — trying another one (attempt 2 of 6)…',
    );
  });
});

describe('reconnectingText', () => {
  it('counts the attempts', () => {
    expect(reconnectingText(3)).toBe('Connection lost — reconnecting (attempt 3)…');
  });

  it('says so when typing was not kept', () => {
    expect(reconnectingText(1, true)).toBe(
      'Connection lost — reconnecting (attempt 1)… Some typing could not be kept and was not sent.',
    );
  });
});

describe('lostOutputText', () => {
  it('says how many bytes are missing', () => {
    expect(lostOutputText(1)).toBe('[vigil: 1 byte of output was lost while disconnected]');
    expect(lostOutputText(4096)).toBe('[vigil: 4096 bytes of output were lost while disconnected]');
  });
});

describe('sessionSummaryText', () => {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', timeStyle: 'short' });

  it('gives user, start time and whether another page has it', () => {
    const startedAt = Date.UTC(2025, 0, 2, 14, 3);
    expect(sessionSummaryText({ username: 'alice', startedAt, attached: false }, time)).toBe(
      'as alice · started 14:03 · not attached',
    );
    expect(sessionSummaryText({ username: 'alice', startedAt, attached: true }, time)).toBe(
      'as alice · started 14:03 · open in another tab or window',
    );
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

describe('endSessionQuestion', () => {
  it('says what ending a session takes with it', () => {
    expect(endSessionQuestion({ target: 'db', username: 'deploy' })).toBe(
      'End the session on db as deploy? Its shell and everything running in it will be closed.',
    );
  });
});
