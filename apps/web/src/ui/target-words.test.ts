import { describe, expect, it } from 'vitest';
import { targetDetailsText } from './target-words.js';

describe('targetDetailsText', () => {
  it('names the fixed user and the sign-in methods a person may use', () => {
    expect(targetDetailsText({ user: 'root', authMethods: ['password', 'publickey'] })).toBe(
      'as root · Password, Private key',
    );
    expect(targetDetailsText({ authMethods: ['keyboard-interactive'] })).toBe('Keyboard-interactive');
  });

  it('says when the gateway signs in with a key of its own', () => {
    expect(targetDetailsText({ user: 'deploy', authMethods: [], gatewayKey: true })).toBe(
      'as deploy · key held by the gateway',
    );
  });
});
