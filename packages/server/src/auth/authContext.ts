import { FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';

/**
 * A user's role in their team. `owner` and `admin` manage the team; `member` uses it.
 *
 * @example
 * ```ts
 * import type { TeamRole } from '@fragmentkit/server';
 * const managers: TeamRole[] = ['owner', 'admin'];
 * ```
 */
export type TeamRole = 'owner' | 'admin' | 'member';

/**
 * Every {@link TeamRole}, from the most to the least powerful.
 *
 * @example
 * ```ts
 * import { teamRoles } from '@fragmentkit/server';
 * const isRole = (value: string) => (teamRoles as readonly string[]).includes(value);
 * ```
 */
export const teamRoles = ['owner', 'admin', 'member'] as const satisfies readonly TeamRole[];

/**
 * Who a request comes from, as the `auth` hook (or guest mode) decided. `teamId` is the
 * tenant boundary: stored conversations, usage and audit entries of one team are invisible to
 * every other team.
 *
 * @example
 * ```ts
 * import type { AuthContext } from '@fragmentkit/server';
 * const auth: AuthContext = { userId: 'user_42', teamId: 'org_7', roles: ['admin'], plan: 'pro' };
 * ```
 */
export interface AuthContext {
  userId: string;
  teamId: string;
  roles: TeamRole[];
  /** The plan that decides rate limits, e.g. `free` or `pro`; guests have `guest`. */
  plan?: string;
}

/**
 * Finds the caller of a request: an {@link AuthContext}, or `null` when the request carries
 * no credentials (then guest mode decides). Throw `FragmentkitError('UNAUTHORIZED')` for
 * credentials that are present but not valid, so the client learns why.
 *
 * @example
 * ```ts
 * import type { AuthHook } from '@fragmentkit/server';
 *
 * const auth: AuthHook = async (request) => {
 *   const session = await sessions.fromCookie(request.headers.get('cookie'));
 *   return session ? { userId: session.userId, teamId: session.orgId, roles: [session.role] } : null;
 * };
 * ```
 */
export type AuthHook = (request: Request) => Promise<AuthContext | null>;

const idSchema = z.string().min(1).max(256);
const authContextSchema = z.object({
  userId: idSchema,
  teamId: idSchema,
  roles: z.array(z.enum(teamRoles)),
  plan: z.string().min(1).max(64).optional(),
});

/**
 * Checks what an `auth` hook returned. A malformed context is a bug in the host, not in the
 * request, so it is an `INTERNAL` error whose message (in the server log) names the problem.
 */
export function checkAuthContext(value: unknown): AuthContext {
  const result = authContextSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`);
  throw new FragmentkitError(
    'INTERNAL',
    `The auth hook returned an invalid AuthContext (${problems.join('; ')}). Return { userId, teamId, roles } or null.`,
  );
}
