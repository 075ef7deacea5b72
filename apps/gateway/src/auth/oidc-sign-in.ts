import * as oidc from 'openid-client';
import { type AuthConfig, isLoopback } from '../config/config-schema.js';

type OidcConfig = NonNullable<AuthConfig['oidc']>;

/** What a sign-in needs to remember between sending the person away and their return. */
interface PendingSignIn {
  codeVerifier: string;
  nonce: string;
  expiresAt: number;
}

/** A pending sign-in expires after this long (the person may have abandoned it). */
const PENDING_LIFETIME_MS = 10 * 60_000;

function isLoopbackUrl(url: URL): boolean {
  // URL writes IPv6 hosts in brackets ("[::1]").
  return isLoopback(url.hostname.replace(/^\[(.*)\]$/, '$1'));
}

/**
 * OpenID Connect sign-in with openid-client: authorization code flow with PKCE, state and nonce.
 * The provider's metadata is discovered on first use (and again after a failure), so Vigil starts
 * even while the provider is down. Plain-HTTP issuers are accepted only on loopback (tests).
 */
export class OidcSignIn {
  private configuration: Promise<oidc.Configuration> | undefined;
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(
    private readonly settings: OidcConfig,
    private readonly now: () => number = Date.now,
  ) {}

  private discover(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      const insecure = issuer.protocol === 'http:' && isLoopbackUrl(issuer);
      const secret = this.settings.clientSecret;
      this.configuration = oidc
        // client_secret_basic is OIDC's default token endpoint authentication; a public client uses none.
        .discovery(
          issuer,
          this.settings.clientId,
          undefined,
          secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
          {
            ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
          },
        )
        .catch((error: unknown) => {
          this.configuration = undefined;
          throw error;
        });
    }
    return this.configuration;
  }

  /** Starts a sign-in: returns the provider URL to send the person to, and the state to bind to their browser. */
  async begin(): Promise<{ url: URL; state: string }> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const now = this.now();
    for (const [key, entry] of this.pending) if (entry.expiresAt <= now) this.pending.delete(key);
    this.pending.set(state, { codeVerifier, nonce, expiresAt: now + PENDING_LIFETIME_MS });
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state };
  }

  /**
   * Finishes a sign-in from the callback URL. `browserState` is the state bound to the browser
   * (cookie); it must match the one the provider sends back, which defeats login CSRF.
   */
  async complete(
    callbackUrl: URL,
    browserState: string | undefined,
  ): Promise<{ name: string; groups: string[] }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending || pending.expiresAt <= this.now() || browserState !== state) {
      throw new Error('this sign-in was not started here, or it expired; start again');
    }
    const configuration = await this.discover();
    const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: state,
      expectedNonce: pending.nonce,
    });
    const idClaims = tokens.claims();
    const userinfo =
      configuration.serverMetadata().userinfo_endpoint && idClaims
        ? await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)
        : {};
    const claims: Record<string, unknown> = { ...userinfo, ...idClaims };
    const name = claims[this.settings.userClaim] ?? claims.sub;
    if (typeof name !== 'string' || name === '')
      throw new Error(`the provider sent no ${this.settings.userClaim} claim`);
    const rawGroups = claims[this.settings.groupsClaim];
    const groups = Array.isArray(rawGroups)
      ? rawGroups.filter((g): g is string => typeof g === 'string')
      : typeof rawGroups === 'string'
        ? [rawGroups]
        : [];
    return { name, groups };
  }
}
