import { FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';
import type { TeamRole } from './auth/authContext.js';
import { callerOf } from './auth/caller.js';
import { requireRole } from './auth/requireRole.js';
import { parseJsonBody } from './parseJsonBody.js';
import type { RequestContext, RouteHandler, RouteMethods } from './router.js';
import type { FragmentStore } from './store/fragmentStore.js';
import { notFound } from './store/storeInput.js';
import type { Tenant } from './store/tenantTransaction.js';

/**
 * Which team roles may use destructive routes. A stored conversation is private to the user
 * who started it (the store scopes every read and write to its author, inside the team that
 * row-level security enforces), so these roles restrict authors further; they never let
 * anyone reach someone else's conversation.
 *
 * @example
 * ```ts
 * // Members keep their history; only team managers may delete (their own) conversations.
 * const permissions: ConversationPermissions = { deleteConversation: ['owner', 'admin'] };
 * ```
 */
export interface ConversationPermissions {
  /** Roles that may delete their conversations. Default: every role. */
  deleteConversation?: readonly TeamRole[];
}

export interface ConversationRoutesOptions {
  store: FragmentStore | undefined;
  permissions: ConversationPermissions;
}

const renameSchema = z.object({ title: z.string().trim().min(1, 'title must not be empty').max(500) }).strict();
const limitPattern = /^\d{1,3}$/;

/**
 * `GET /conversations` (newest first; `?limit=` 1–100 and `?cursor=` from `nextCursor`),
 * `GET /conversations/:id` (messages, fragment versions and runs, so a reloaded page can
 * resume), `PATCH /conversations/:id` `{ title }` and `DELETE /conversations/:id`. Each acts
 * for the caller only; another user's or team's id is 404, the same as an id that never existed.
 */
export function createConversationRoutes({
  store,
  permissions,
}: ConversationRoutesOptions): Record<string, RouteMethods> {
  if (!store) {
    const handler: RouteHandler = async () => {
      throw new FragmentkitError(
        'NOT_FOUND',
        'Conversations are not stored on this server: pass `store` (createFragmentStore) to createFragmentkit.',
      );
    };
    return { '/conversations': { GET: { handler } }, '/conversations/:id': { GET: { handler } } };
  }
  const deleteRoles = permissions.deleteConversation ?? ['owner', 'admin', 'member'];

  const list: RouteHandler = async (request, context) => {
    const query = new URL(request.url).searchParams;
    const limit = query.get('limit');
    const cursor = query.get('cursor');
    if (limit !== null && !limitPattern.test(limit)) {
      throw new FragmentkitError('INVALID_REQUEST', `limit must be a whole number from 1 to 100; got "${limit}".`);
    }
    const page = await store.listConversations(tenantOf(context), {
      ...(limit === null ? {} : { limit: Number(limit) }),
      ...(cursor === null ? {} : { cursor }),
    });
    return Response.json(page);
  };

  const read: RouteHandler = async (_request, context) => {
    const id = context.params.id!;
    const detail = await store.getConversation(tenantOf(context), id);
    if (!detail) throw notFound('conversation', id);
    return Response.json(detail);
  };

  const rename: RouteHandler = async (request, context) => {
    const { title } = await parseJsonBody(request, renameSchema, {
      operation: 'PATCH /conversations/:id',
      maxBytes: 16_384,
    });
    const tenant = tenantOf(context);
    const conversation = await store.renameConversation(tenant, context.params.id!, title);
    await store.audit(tenant, {
      action: 'conversation.renamed',
      subject: `conversation/${conversation.id}`,
      data: { title },
    });
    return Response.json({ conversation });
  };

  const remove: RouteHandler = async (_request, context) => {
    const { auth } = callerOf(context);
    requireRole(auth, deleteRoles, 'Deleting a conversation');
    const id = context.params.id!;
    const tenant = tenantOf(context);
    await store.deleteConversation(tenant, id);
    await store.audit(tenant, { action: 'conversation.deleted', subject: `conversation/${id}` });
    return new Response(null, { status: 204 });
  };

  return {
    '/conversations': { GET: { handler: list } },
    '/conversations/:id': { GET: { handler: read }, PATCH: { handler: rename }, DELETE: { handler: remove } },
  };
}

function tenantOf(context: RequestContext): Tenant {
  const { auth } = callerOf(context);
  return { teamId: auth.teamId, userId: auth.userId };
}
