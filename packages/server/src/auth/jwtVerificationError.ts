import { FragmentkitError } from '@fragmentkit/core';
import { errors } from 'jose';

export interface VerificationSetup {
  algorithms: string[];
  jwksUrl: string | undefined;
}

/**
 * Turns a failed verification into what the client should hear: `UNAUTHORIZED` with the reason
 * for anything wrong with the token, but `INTERNAL` when the signing keys could not be loaded,
 * since that is the server's problem and no new token would help. Never quotes the token.
 */
export function jwtVerificationError(error: unknown, setup: VerificationSetup): FragmentkitError {
  if (FragmentkitError.isInstance(error)) return error;
  if (!(error instanceof errors.JOSEError)) {
    return new FragmentkitError('INTERNAL', `Could not load the signing keys from ${setup.jwksUrl}: ${String(error)}`, {
      cause: error,
    });
  }
  switch (error.code) {
    case 'ERR_JWT_EXPIRED': {
      const expiresAt = (error as errors.JWTExpired).payload.exp;
      const when = typeof expiresAt === 'number' ? ` at ${new Date(expiresAt * 1000).toISOString()}` : '';
      return unauthorized(`The access token expired${when}. Refresh it or sign in again.`, 'token_expired', error);
    }
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim } = error as errors.JWTClaimValidationFailed;
      return unauthorized(
        `The access token's "${claim}" claim is not accepted here (${error.message}). It was issued for another app or is not valid yet.`,
        'invalid_token',
        error,
      );
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return unauthorized(
        'The access token signature does not verify: it was signed with another key or altered. Sign in again.',
        'invalid_token',
        error,
      );
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return unauthorized(
        `The access token uses a signature algorithm this server does not accept (allowed: ${setup.algorithms.join(', ')}).`,
        'invalid_token',
        error,
      );
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return unauthorized(
        'No published signing key matches the access token (unknown "kid"). Sign in again.',
        'invalid_token',
        error,
      );
    // A plain JOSEError comes from fetching the key set (not 200, not JSON).
    case 'ERR_JOSE_GENERIC':
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return new FragmentkitError(
        'INTERNAL',
        `Could not load the signing keys from ${setup.jwksUrl}: ${error.message}`,
        {
          cause: error,
        },
      );
    default:
      return unauthorized('The access token is not a valid JWT. Sign in again.', 'invalid_token', error);
  }
}

function unauthorized(message: string, reason: string, cause: unknown): FragmentkitError {
  return new FragmentkitError('UNAUTHORIZED', message, { details: { reason }, cause });
}
