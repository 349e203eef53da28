import { type Clock, FragmentkitError, systemClock } from '@fragmentkit/core';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { AuthContext, AuthHook } from './authContext.js';
import { readBearerToken } from './bearerToken.js';
import { authContextFromClaims, type JwtClaimNames } from './jwtClaims.js';
import { jwtVerificationError } from './jwtVerificationError.js';

/**
 * Options of {@link createJwtAuth}. Give `secret`, `jwksUrl` or both (e.g. while an identity
 * provider moves from a shared secret to signing keys; each token is checked with the key its
 * algorithm calls for).
 *
 * @example
 * ```ts
 * import type { JwtAuthOptions } from '@fragmentkit/server';
 *
 * const options: JwtAuthOptions = {
 *   jwksUrl: 'https://example.eu.auth0.com/.well-known/jwks.json',
 *   issuer: 'https://example.eu.auth0.com/',
 *   audience: 'https://api.example.com',
 *   claims: { teamId: 'org_id', roles: 'https://example.com/roles' },
 * };
 * ```
 */
export interface JwtAuthOptions {
  /** The shared secret of HS256 tokens, e.g. Supabase's legacy JWT secret (used as UTF-8 bytes when a string). */
  secret?: string | Uint8Array;
  /** Where the public keys of RS256/ES256 tokens are published; fetched when needed and cached. */
  jwksUrl?: string | URL;
  /** The `iss` a token must carry. Strongly recommended with `jwksUrl`. */
  issuer?: string | string[];
  /** The `aud` a token must carry, e.g. `authenticated` for Supabase or your API identifier for Auth0. */
  audience?: string | string[];
  /** Which claims hold the user, team, roles and plan. */
  claims?: JwtClaimNames;
  /**
   * Also read the token from this cookie when there is no `Authorization: Bearer` header,
   * e.g. for apps that keep the session in a cookie. Only use it together with a `cors`
   * allowlist (or same-origin requests): cookies travel with cross-site requests.
   */
  cookie?: string;
  /** Accepted signature algorithms. Default: `HS256` with `secret`, `RS256` and `ES256` with `jwksUrl`. */
  algorithms?: string[];
  /** Leeway for `exp` and `nbf`, in seconds, for clocks that drift apart. Default 5. */
  clockToleranceSeconds?: number;
  /** Decides whether a token has expired. Default {@link systemClock}. */
  clock?: Clock;
}

/**
 * Verifies JSON Web Tokens from `Authorization: Bearer <token>` (Supabase, Firebase, Auth0,
 * Clerk and any OIDC provider) and maps their claims to an {@link AuthContext}. A request
 * without a token resolves to `null` (guest mode decides what happens); an expired, altered
 * or foreign token is rejected with `UNAUTHORIZED` (401) and a message saying why.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when neither `secret` nor `jwksUrl` is given.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createJwtAuth } from '@fragmentkit/server';
 *
 * // Supabase (HS256 project secret); the team comes from app_metadata.
 * const supabaseAuth = createJwtAuth({
 *   secret: process.env.SUPABASE_JWT_SECRET!,
 *   audience: 'authenticated',
 *   claims: { teamId: 'app_metadata.team_id', roles: 'app_metadata.team_role', plan: 'app_metadata.plan' },
 * });
 *
 * // Firebase: ID tokens are RS256, signed with Google's published keys.
 * const firebaseAuth = createJwtAuth({
 *   jwksUrl: 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
 *   issuer: `https://securetoken.google.com/${projectId}`,
 *   audience: projectId,
 *   claims: { teamId: 'team_id', roles: 'role' },
 * });
 *
 * const fragmentkit = createFragmentkit({ model, auth: supabaseAuth, guest: false });
 * ```
 */
export function createJwtAuth(options: JwtAuthOptions): AuthHook {
  const { secret, jwksUrl, cookie } = options;
  if (secret === undefined && jwksUrl === undefined) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      'createJwtAuth needs `secret` (HS256 tokens) or `jwksUrl` (RS256/ES256 tokens), or both.',
    );
  }
  const secretKey = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const remoteKeys = jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(jwksUrl));
  const algorithms = options.algorithms ?? [...(secretKey ? ['HS256'] : []), ...(remoteKeys ? ['RS256', 'ES256'] : [])];
  const clock = options.clock ?? systemClock;
  const claimNames = options.claims ?? {};

  const key: JWTVerifyGetKey = (header, token) => {
    if (header.alg?.startsWith('HS')) {
      if (secretKey) return secretKey;
    } else if (remoteKeys) {
      return remoteKeys(header, token);
    }
    throw new FragmentkitError(
      'UNAUTHORIZED',
      `The access token is signed with ${header.alg}, which this server has no key for. Sign in again.`,
      { details: { reason: 'invalid_token' } },
    );
  };

  return async (request): Promise<AuthContext | null> => {
    const token = readBearerToken(request, cookie);
    if (token === null) return null;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        currentDate: new Date(clock.now()),
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      });
      return authContextFromClaims(payload, claimNames);
    } catch (error) {
      throw jwtVerificationError(error, { algorithms, jwksUrl: jwksUrl?.toString() });
    }
  };
}
