import { FragmentkitError } from '@fragmentkit/core';

/**
 * The role tenant work runs as unless configured otherwise: a NOLOGIN role that holds only
 * row-level access to the store's tables and is subject to row-level security.
 *
 * @example
 * ```ts
 * import { createFragmentStore, defaultAppRole } from '@fragmentkit/server';
 * const store = createFragmentStore(db, { appRole: `${defaultAppRole}_staging` });
 * ```
 */
export const defaultAppRole = 'fragmentkit_app';

// Role names end up inside DDL and DO blocks, where parameters are not allowed; accepting only
// plain lower-case identifiers makes quoting trivial and injection impossible.
const roleNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Returns the role name as a quoted SQL identifier; throws `INVALID_REQUEST` for anything but a
 * plain lower-case identifier.
 *
 * @example
 * ```ts
 * quoteRoleName('fragmentkit_app'); // '"fragmentkit_app"'
 * quoteRoleName('x"; DROP TABLE t'); // throws FragmentkitError('INVALID_REQUEST')
 * ```
 */
export function quoteRoleName(roleName: string): string {
  if (!roleNamePattern.test(roleName)) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Invalid database role name "${roleName}": use lower-case letters, digits and underscores (at most 63).`,
      { details: { roleName } },
    );
  }
  return `"${roleName}"`;
}
