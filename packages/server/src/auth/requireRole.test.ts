import { FragmentkitError } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { requireRole } from './requireRole.js';

describe('requireRole', () => {
  const admin = { userId: 'u-1', teamId: 't-1', roles: ['admin' as const] };

  it('lets a caller with one of the roles through', () => {
    expect(() => requireRole(admin, ['owner', 'admin'], 'Deleting a conversation')).not.toThrow();
  });

  it('throws FORBIDDEN naming the action, the allowed roles and the roles held', () => {
    const thrown = (() => {
      try {
        requireRole({ ...admin, roles: ['member'] }, ['owner', 'admin'], 'Deleting a conversation');
      } catch (error) {
        return error;
      }
    })();
    expect(FragmentkitError.isInstance(thrown) && thrown.code).toBe('FORBIDDEN');
    expect((thrown as Error).message).toBe(
      'Deleting a conversation needs the owner or admin role in your team; you are member. Ask a team owner for access.',
    );
    expect(() => requireRole({ ...admin, roles: [] }, ['member'], 'Chatting')).toThrow(/you have no role/);
  });
});
