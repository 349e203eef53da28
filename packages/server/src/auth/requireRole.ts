import { FragmentkitError } from '@fragmentkit/core';
import type { AuthContext, TeamRole } from './authContext.js';

/**
 * Throws `FORBIDDEN` (403) unless the caller holds at least one of `allowed` in their team.
 * `action` completes the sentence "… needs the admin or owner role", so the message tells
 * the user what they tried and who may do it.
 *
 * @throws FragmentkitError `FORBIDDEN` when none of the caller's roles is allowed.
 *
 * @example
 * ```ts
 * import { requireRole } from '@fragmentkit/server';
 *
 * requireRole(auth, ['owner', 'admin'], 'Deleting a conversation');
 * // FragmentkitError FORBIDDEN: "Deleting a conversation needs the owner or admin role in your team; you are member."
 * ```
 */
export function requireRole(auth: AuthContext, allowed: readonly TeamRole[], action: string): void {
  if (auth.roles.some((role) => allowed.includes(role))) return;
  const held = auth.roles.length === 0 ? 'you have no role' : `you are ${auth.roles.join(', ')}`;
  throw new FragmentkitError(
    'FORBIDDEN',
    `${action} needs the ${allowed.join(' or ')} role in your team; ${held}. Ask a team owner for access.`,
    { details: { allowed: [...allowed], roles: [...auth.roles] } },
  );
}
