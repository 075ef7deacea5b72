import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** The header a replica carries its signed claims in when it calls another replica's /internal/ API. */
export const HOP_HEADER = 'x-vigil-hop';

/** Long enough for a slow connect, short enough that a captured token soon expires. */
export const HOP_TOKEN_LIFETIME_MS = 60_000;

/** The shortest cluster secret accepted: 256 bits, as HMAC-SHA256 can use. */
export const MIN_SECRET_BYTES = 32;

/** Who the relaying replica acts for, as its own sign-in check established it. */
const requesterSchema = z.strictObject({
  /** Sessions belong to this owner (ownerOf: `user:<name>` or `browser:<id>`). */
  owner: z.string().min(1).max(300),
  /** The gateway user's name, for "ended by" and the audit trail. */
  name: z.string().min(1).max(300),
  admin: z.boolean(),
  /** The browser's address, for the audit trail. */
  source: z.string().max(100),
});

const claimsSchema = z.strictObject({
  /** One purpose per token: a token minted to list sessions cannot end one. */
  purpose: z.enum(['attach', 'list', 'end']),
  /** The session an attach or an end is about. */
  sessionId: z.string().min(1).max(64).optional(),
  requester: requesterSchema,
  /** The replica that minted it, for the owner's log. */
  from: z.string().min(1).max(64),
  /** Milliseconds since the epoch after which the token is refused. */
  expiresAt: z.number().int(),
  /** Random, seen once: a replayed token is refused even within its lifetime. */
  nonce: z.string().length(22),
});

export type HopClaims = z.infer<typeof claimsSchema>;
export type HopRequester = HopClaims['requester'];
export type HopPurpose = HopClaims['purpose'];

export type HopVerdict = { ok: true; claims: HopClaims } | { ok: false; reason: string };

/**
 * Signs and checks the claims one replica sends another over the internal hop: HMAC-SHA256 with
 * the cluster's shared secret over the claims as sent. The owner trusts the relaying replica's
 * sign-in check because only a replica holding the secret can mint a token; expiry and a nonce
 * seen once make a captured token useless for a replay.
 */
export class HopTokens {
  /** Nonces of tokens accepted and not yet expired, with their expiry. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new Error(`the cluster secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
  }

  mint(claims: Omit<HopClaims, 'expiresAt' | 'nonce'>): string {
    const full: HopClaims = {
      ...claims,
      expiresAt: this.now() + HOP_TOKEN_LIFETIME_MS,
      nonce: randomBytes(16).toString('base64url'),
    };
    const body = Buffer.from(JSON.stringify(full)).toString('base64url');
    return `${body}.${this.sign(body).toString('base64url')}`;
  }

  /** Checks a token for one purpose; the reason on refusal is for the log, never for the caller. */
  verify(token: string | undefined, purpose: HopPurpose): HopVerdict {
    if (token === undefined) return { ok: false, reason: 'no hop token' };
    const [body, signature, extra] = token.split('.');
    if (body === undefined || signature === undefined || extra !== undefined)
      return { ok: false, reason: 'malformed hop token' };
    const expected = this.sign(body);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'bad hop token signature' };
    let parsed: ReturnType<typeof claimsSchema.safeParse>;
    try {
      parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, reason: 'hop token claims are not JSON' };
    }
    if (!parsed.success) return { ok: false, reason: 'hop token claims are malformed' };
    const claims = parsed.data;
    const now = this.now();
    if (claims.purpose !== purpose)
      return { ok: false, reason: `hop token is for ${claims.purpose}, not ${purpose}` };
    if (claims.expiresAt <= now) return { ok: false, reason: 'hop token expired' };
    // A lifetime longer than we ever mint would let a leaked secret's token outlive the nonce cache.
    if (claims.expiresAt > now + HOP_TOKEN_LIFETIME_MS)
      return { ok: false, reason: 'hop token lives too long' };
    this.forgetExpired(now);
    if (this.seen.has(claims.nonce)) return { ok: false, reason: 'hop token replayed' };
    this.seen.set(claims.nonce, claims.expiresAt);
    return { ok: true, claims };
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.secret).update(`vigil-hop-v1.${body}`).digest();
  }

  private forgetExpired(now: number) {
    // Map order is insertion order, and every token lives as long: the oldest expire first.
    for (const [nonce, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(nonce);
    }
  }
}

/**
 * What the database keeps to tell whether a replica holds the cluster's secret, without keeping
 * the secret: an HMAC of a fixed text under it.
 */
export function secretVerifier(secret: Buffer): Buffer {
  return createHmac('sha256', secret).update('vigil-cluster-secret-verifier-v1').digest();
}
