import { describe, expect, it } from 'vitest';
import { HOP_TOKEN_LIFETIME_MS, HopTokens, secretVerifier } from './hop-token.js';

const SECRET = Buffer.alloc(32, 7);
const requester = { owner: 'user:alice', name: 'alice', admin: false, source: '127.0.0.1' };

function tokens(clock: { now: number }, secret = SECRET) {
  return new HopTokens(secret, () => clock.now);
}

describe('HopTokens', () => {
  it('accepts a token once, for the purpose it was minted for', () => {
    const clock = { now: 1_000_000 };
    const a = tokens(clock);
    const b = tokens(clock);
    const token = a.mint({ purpose: 'attach', sessionId: 's1', requester, from: 'r-a' });
    const verdict = b.verify(token, 'attach');
    expect(verdict).toMatchObject({ ok: true, claims: { purpose: 'attach', sessionId: 's1', requester } });
    expect(b.verify(token, 'attach')).toEqual({ ok: false, reason: 'hop token replayed' });
  });

  it('refuses a token for another purpose', () => {
    const clock = { now: 1_000_000 };
    const token = tokens(clock).mint({ purpose: 'list', requester, from: 'r-a' });
    expect(tokens(clock).verify(token, 'end')).toEqual({
      ok: false,
      reason: 'hop token is for list, not end',
    });
  });

  it('refuses a token after its lifetime', () => {
    const clock = { now: 1_000_000 };
    const token = tokens(clock).mint({ purpose: 'list', requester, from: 'r-a' });
    clock.now += HOP_TOKEN_LIFETIME_MS;
    expect(tokens(clock).verify(token, 'list')).toEqual({ ok: false, reason: 'hop token expired' });
  });

  it('refuses a token signed with another secret, or with claims changed', () => {
    const clock = { now: 1_000_000 };
    const foreign = tokens(clock, Buffer.alloc(32, 8)).mint({ purpose: 'list', requester, from: 'r-x' });
    expect(tokens(clock).verify(foreign, 'list')).toEqual({ ok: false, reason: 'bad hop token signature' });

    const token = tokens(clock).mint({ purpose: 'list', requester, from: 'r-a' });
    const [body, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, requester: { ...requester, admin: true } }));
    expect(tokens(clock).verify(`${forged.toString('base64url')}.${signature}`, 'list')).toEqual({
      ok: false,
      reason: 'bad hop token signature',
    });
  });

  it('refuses what is not a token at all', () => {
    const verifier = tokens({ now: 0 });
    expect(verifier.verify(undefined, 'list')).toEqual({ ok: false, reason: 'no hop token' });
    expect(verifier.verify('abc', 'list')).toEqual({ ok: false, reason: 'malformed hop token' });
    expect(verifier.verify('a.b.c', 'list')).toEqual({ ok: false, reason: 'malformed hop token' });
  });

  it('forgets nonces once their tokens expired, so memory stays bounded', () => {
    const clock = { now: 1_000_000 };
    const minter = tokens(clock);
    const verifier = tokens(clock);
    for (let i = 0; i < 100; i++)
      verifier.verify(minter.mint({ purpose: 'list', requester, from: 'r-a' }), 'list');
    clock.now += HOP_TOKEN_LIFETIME_MS + 1;
    verifier.verify(minter.mint({ purpose: 'list', requester, from: 'r-a' }), 'list');
    expect((verifier as unknown as { seen: Map<string, number> }).seen.size).toBe(1);
  });

  it('needs a secret of at least 32 bytes', () => {
    expect(() => new HopTokens(Buffer.alloc(31))).toThrow('at least 32 bytes');
  });
});

describe('secretVerifier', () => {
  it('is the same for the same secret and differs for another', () => {
    expect(secretVerifier(SECRET).equals(secretVerifier(Buffer.from(SECRET)))).toBe(true);
    expect(secretVerifier(SECRET).equals(secretVerifier(Buffer.alloc(32, 8)))).toBe(false);
  });
});
