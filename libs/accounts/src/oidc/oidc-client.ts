/** Talking to an OpenID Connect provider: discovery, the authorization code exchange and the ID token's checks. */
import * as oidc from 'openid-client';

/** What the sign-in asks the provider for: who the person is, their email and name. */
const SCOPE = 'openid email profile';

/** Why a provider could not be used: unreachable, or its discovery document will not do. */
export class DiscoveryFailed extends Error {
  constructor(
    readonly reachable: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** The ID token's claims the sign-in reads (verified: signature, issuer, audience, expiry, nonce). */
export interface VerifiedClaims {
  iss: string;
  sub: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

/** How a code exchange failed: the provider did not answer, or its answer was refused. */
export class ExchangeFailed extends Error {
  constructor(
    readonly down: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** The error and the causes it wraps (openid-client wraps oauth4webapi's, which wrap fetch's). */
const chain = (error: unknown): { name?: string; code?: string; message?: string; status?: number }[] => {
  const errors: { name?: string; code?: string; message?: string; status?: number }[] = [];
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) errors.push(e as never);
  return errors;
};

const unreachable = (error: unknown): boolean =>
  chain(error).some(
    (e) =>
      (e.name === 'TypeError' && /fetch failed/i.test(e.message ?? '')) ||
      e.name === 'TimeoutError' ||
      e.name === 'AbortError' ||
      /^E(CONNREFUSED|CONNRESET|HOSTUNREACH|NOTFOUND|AI_AGAIN|TIMEDOUT)$/.test(e.code ?? '') ||
      // A gateway or server error of the provider's.
      (e.status ?? 0) >= 500,
  );

/** The most precise words of the error (oauth4webapi's, the innermost, under openid-client's "something went wrong"). */
const reasonOf = (error: unknown): string => {
  const precise = chain(error)
    .reverse()
    .find((e) => typeof e.code === 'string' && /^OAUTH_|^ERR_JW/.test(e.code) && e.message);
  return (precise ?? (error as Error)).message ?? 'unknown';
};

/**
 * openid-client (v6) behind three calls: discovery (checked to name the authorization, token and
 * key endpoints), the authorisation URL (PKCE S256, state, nonce) and the code exchange, which
 * verifies the ID token's signature against the provider's keys (openid-client skips it by
 * default for tokens from the token endpoint: switched on), issuer, audience, expiry and nonce.
 */
export const oidcClient = {
  async discover(issuer: string, clientId: string, clientSecret: string, allowInsecure: boolean): Promise<oidc.Configuration> {
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(new URL(issuer), clientId, clientSecret, oidc.ClientSecretPost(clientSecret), {
        timeout: 10,
        ...(allowInsecure && { execute: [oidc.allowInsecureRequests] }),
      });
    } catch (error) {
      if (unreachable(error)) throw new DiscoveryFailed(false, `The issuer ${issuer} could not be reached: check the address, or try again later.`);
      throw new DiscoveryFailed(true, `The issuer ${issuer} has no usable discovery document at /.well-known/openid-configuration (${reasonOf(error)}).`);
    }
    const metadata = config.serverMetadata();
    const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter((name) => typeof metadata[name] !== 'string');
    if (missing.length) throw new DiscoveryFailed(true, `The issuer ${issuer}'s discovery document names no ${missing.join(', ')}: it cannot sign people in.`);
    oidc.enableNonRepudiationChecks(config);
    return config;
  },

  async authorizationUrl(config: oidc.Configuration, redirectUri: string, loginHint?: string): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(loginHint && { login_hint: loginHint }),
    });
    return { url: url.href, state, nonce, verifier };
  },

  async exchange(config: oidc.Configuration, callbackUrl: URL, expected: { state: string; nonce: string; verifier: string }): Promise<VerifiedClaims> {
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.verifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      if (unreachable(error)) throw new ExchangeFailed(true, 'did not answer');
      if (error instanceof oidc.AuthorizationResponseError) throw new ExchangeFailed(false, `said: ${error.error_description ?? error.error}`);
      throw new ExchangeFailed(false, `gave an answer that could not be verified (${reasonOf(error)})`);
    }
    if (!claims) throw new ExchangeFailed(false, 'gave no ID token');
    return {
      iss: claims.iss,
      sub: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : undefined,
      // Entra ID says so with `xms_edov` (the domain verified by its owner, the tenant), never `email_verified`.
      emailVerified: claims.email_verified === true || claims.xms_edov === true,
      name: typeof claims.name === 'string' ? claims.name : undefined,
    };
  },
};
