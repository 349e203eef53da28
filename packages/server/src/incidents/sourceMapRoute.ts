import { FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RouteHandler } from '../router.js';
import { type IncidentsConfig, incidentTenant } from './incidentsConfig.js';

const sourceMapShape = z.looseObject({
  version: z.literal(3),
  sources: z.array(z.string().nullable()),
  mappings: z.string(),
});

const fileSchema = z
  .object({
    url: z.string().min(1).max(2000).optional(),
    path: z.string().min(1).max(2000).optional(),
    map: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  })
  .strict()
  .refine((file) => (file.url === undefined) !== (file.path === undefined), 'give each file a url or a path');

const uploadSchema = z
  .object({
    release: z.string().trim().min(1).max(500),
    files: z.array(fileSchema).min(1).max(100),
  })
  .strict();

/**
 * `POST /projects/:id/sourcemaps` `{ release, files: [{ url | path, map }] }` → 201 `{ saved }`.
 * `map` is a v3 source map, as JSON text or an object; each is checked (`version: 3`,
 * `sources`, `mappings`) and capped at `maxSourceMapBytes` (413 beyond it). Uploading the same
 * file of the same release again replaces its map.
 */
export function createSourceMapRoute(config: IncidentsConfig): RouteHandler {
  const maxMapBytes = config.maxSourceMapBytes ?? 5_000_000;
  return async (request, context) => {
    const tenant = incidentTenant(context, config.allowGuests);
    const { release, files } = await parseJsonBody(request, uploadSchema, {
      operation: 'POST /projects/:id/sourcemaps',
      maxBytes: config.maxSourceMapUploadBytes ?? 20_000_000,
    });
    const checked = files.map((file, index) => {
      const text = typeof file.map === 'string' ? file.map : JSON.stringify(file.map);
      if (new TextEncoder().encode(text).length > maxMapBytes) {
        throw new FragmentkitError('PAYLOAD_TOO_LARGE', `files.${index}.map is larger than ${maxMapBytes} bytes.`, {
          details: { index, maxBytes: maxMapBytes },
        });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!sourceMapShape.safeParse(parsed).success) {
        throw new FragmentkitError(
          'INVALID_REQUEST',
          `files.${index}.map is not a v3 source map (it needs version: 3, sources and mappings).`,
          { details: { issues: [{ path: ['files', index, 'map'], message: 'not a v3 source map' }] } },
        );
      }
      return { path: (file.url ?? file.path)!, map: text };
    });
    const result = await config.store.saveSourceMaps(tenant, {
      projectId: context.params.id!,
      release,
      files: checked,
    });
    return Response.json(result, { status: 201 });
  };
}
