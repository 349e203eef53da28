import { type Clock, FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';
import { callerOf } from '../auth/caller.js';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RouteHandler } from '../router.js';
import type { PreviewShareStore } from './previewShareStore.js';

/**
 * Options of {@link createShareRoutes}.
 *
 * @example
 * ```ts
 * const options: ShareRoutesOptions = { shares, basePath: '/api/fragmentkit', defaultTtlSeconds: 3_600, maxTtlSeconds: 86_400, maxBodyBytes: 1_000_000, clock: systemClock };
 * ```
 */
export interface ShareRoutesOptions {
  shares: PreviewShareStore;
  basePath: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  maxBodyBytes: number;
  clock: Clock;
}

/**
 * `POST {basePath}/share` makes a link to a preview URL the caller's team got from
 * `POST /sandbox`; `GET {basePath}/s/:id` (public) redirects to it until it expires.
 *
 * @example
 * ```ts
 * const { share, open } = createShareRoutes(options);
 * const routes = { '/share': { POST: { handler: share } }, '/s/:id': { GET: { public: true, handler: open } } };
 * ```
 */
export function createShareRoutes(options: ShareRoutesOptions): { share: RouteHandler; open: RouteHandler } {
  const { shares, clock, maxTtlSeconds } = options;
  const schema = z
    .object({
      url: z.url({ protocol: /^https?$/ }).max(2048),
      ttlSeconds: z.number().int().min(1).max(maxTtlSeconds).optional(),
    })
    .strict();

  return {
    async share(request, context) {
      const body = await parseJsonBody(request, schema, { operation: 'POST /share', maxBytes: options.maxBodyBytes });
      const { auth } = callerOf(context);
      // The same answer whether another team produced the URL or nobody did: it reveals nothing.
      if (!(await shares.hasPreview(auth.teamId, body.url))) {
        throw new FragmentkitError(
          'FORBIDDEN',
          'This URL is not a live preview that a sandbox run of your team produced; run the fragment again to get one.',
          { details: { reason: 'unknown-preview' } },
        );
      }
      const createdAt = clock.now();
      const expiresAt = createdAt + (body.ttlSeconds ?? options.defaultTtlSeconds) * 1000;
      const id = randomShareId();
      await shares.saveShare({ id, url: body.url, teamId: auth.teamId, userId: auth.userId, createdAt, expiresAt });
      const shareUrl = new URL(`${options.basePath}/s/${id}`, request.url).href;
      return Response.json({ id, shareUrl, expiresAt: new Date(expiresAt).toISOString() }, { status: 201 });
    },
    async open(_request, context) {
      const id = context.params.id ?? '';
      const share = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await shares.findShare(id) : null;
      if (!share) throw new FragmentkitError('NOT_FOUND', 'There is no such share link.');
      if (share.expiresAt <= clock.now()) {
        const expiredAt = new Date(share.expiresAt).toISOString();
        return Response.json(
          {
            error: {
              code: 'NOT_FOUND',
              message: `This share link expired at ${expiredAt}; ask for a new one.`,
              details: { reason: 'expired', expiredAt },
            },
          },
          { status: 410, headers: { 'cache-control': 'no-store' } },
        );
      }
      return new Response(null, { status: 302, headers: { location: share.url, 'cache-control': 'no-store' } });
    },
  };
}

function randomShareId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
