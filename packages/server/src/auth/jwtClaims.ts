import { FragmentkitError } from '@fragmentkit/core';
import type { JWTPayload } from 'jose';
import { type AuthContext, type TeamRole, teamRoles } from './authContext.js';

/**
 * Which claims of a token hold the caller's identity. Each name is a top-level claim
 * (`org_id`, or a namespaced one such as `https://example.com/team_id`) or a dotted path into
 * nested claims (`app_metadata.team_id`); a top-level claim with the exact name wins.
 *
 * @example
 * ```ts
 * import type { JwtClaimNames } from '@fragmentkit/server';
 *
 * // Supabase, with the team and role stored in app_metadata by your sign-up hook:
 * const supabase: JwtClaimNames = { teamId: 'app_metadata.team_id', roles: 'app_metadata.team_role' };
 * // Auth0 organizations with a namespaced roles claim from an Action:
 * const auth0: JwtClaimNames = { teamId: 'org_id', roles: 'https://example.com/roles' };
 * ```
 */
export interface JwtClaimNames {
  /** Default `sub`. */
  userId?: string;
  /**
   * The claim naming the team. Without it every user is a team of their own (`teamId` is the
   * user id); with it, a token that lacks the claim is rejected.
   */
  teamId?: string;
  /**
   * A role (`owner`, `admin` or `member`), a list of them, or a space- or comma-separated
   * string. Other values are ignored; a token with no known role is a `member`.
   */
  roles?: string;
  /** The plan for rate limits, e.g. `pro`. */
  plan?: string;
}

/** Reads the caller from a verified token's claims; throws `UNAUTHORIZED` when a needed claim is missing. */
export function authContextFromClaims(payload: JWTPayload, names: JwtClaimNames): AuthContext {
  const userClaim = names.userId ?? 'sub';
  const userId = identifier(readClaim(payload, userClaim));
  if (userId === undefined) throw missingClaim(userClaim, 'the user');
  let teamId = userId;
  if (names.teamId !== undefined) {
    const team = identifier(readClaim(payload, names.teamId));
    if (team === undefined) throw missingClaim(names.teamId, 'the team');
    teamId = team;
  }
  const roles = names.roles === undefined ? [] : knownRoles(readClaim(payload, names.roles));
  const plan = names.plan === undefined ? undefined : identifier(readClaim(payload, names.plan));
  return { userId, teamId, roles: roles.length > 0 ? roles : ['member'], ...(plan === undefined ? {} : { plan }) };
}

function readClaim(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const key of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function identifier(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= 256 ? trimmed : undefined;
}

function knownRoles(value: unknown): TeamRole[] {
  const candidates = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const roles = candidates.map((candidate) => (typeof candidate === 'string' ? candidate.trim().toLowerCase() : ''));
  return teamRoles.filter((role) => roles.includes(role));
}

function missingClaim(name: string, what: string): FragmentkitError {
  return new FragmentkitError(
    'UNAUTHORIZED',
    `The access token has no usable "${name}" claim, which names ${what}. Sign in again, or set claims in createJwtAuth to the claim your identity provider uses.`,
    { details: { reason: 'missing_claim', claim: name } },
  );
}
