import { FragmentkitError } from '@fragmentkit/core';
import { type AuthContext, type AuthHook, checkAuthContext } from './authContext.js';

/**
 * Who is calling, as the request pipeline found out: the auth context, whether it is a guest
 * made up from the IP address, and that address.
 */
export interface Caller {
  auth: AuthContext;
  isGuest: boolean;
  ip: string | undefined;
}

export interface IdentifyCallerOptions {
  auth: AuthHook | undefined;
  guest: boolean;
}

/**
 * Runs the `auth` hook; without credentials the caller is a guest keyed by IP address (all
 * callers of unknown address share one guest), unless guest mode is off: then it is 401.
 */
export async function identifyCaller(
  request: Request,
  ip: string | undefined,
  options: IdentifyCallerOptions,
): Promise<Caller> {
  const found = options.auth ? await options.auth(request) : null;
  if (found !== null) return { auth: checkAuthContext(found), isGuest: false, ip };
  if (!options.guest) {
    throw new FragmentkitError(
      'UNAUTHORIZED',
      'Sign in first: this API needs an access token in the Authorization header (Bearer <token>).',
      { details: { reason: 'missing_token' } },
    );
  }
  const guestId = `guest:${ip ?? 'unknown'}`;
  return { auth: { userId: guestId, teamId: guestId, roles: ['member'], plan: 'guest' }, isGuest: true, ip };
}

/**
 * The caller of a route that is not public. The pipeline identifies the caller before every
 * such route, so a missing one means a route was declared public by mistake.
 */
export function callerOf(context: { caller: Caller | undefined }): Caller {
  if (context.caller) return context.caller;
  throw new FragmentkitError('INTERNAL', 'This route needs a caller but is declared public.');
}
