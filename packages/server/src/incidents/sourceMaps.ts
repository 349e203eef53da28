import type { StoreContext } from '../store/storeContext.js';
import { isUuid, notFound } from '../store/storeInput.js';
import type { Tenant } from '../store/tenantTransaction.js';

/**
 * One uploaded source map: the generated file it belongs to and the map's JSON text.
 *
 * @example
 * ```ts
 * const file: SourceMapFile = { path: 'assets/index-CjXmhfA1.js', map: await readFile('dist/assets/index-CjXmhfA1.js.map', 'utf8') };
 * ```
 */
export interface SourceMapFile {
  /** The generated file's URL or path; only the path without origin and query counts. */
  path: string;
  map: string;
}

/**
 * The comparable form of a script URL or path: no origin, query, hash or leading `./` and `/`.
 * `https://app.test/assets/index.js?v=2` and `/assets/index.js` are both `assets/index.js`.
 *
 * @example
 * ```ts
 * generatedPath('https://app.test/assets/index.js?v=2'); // 'assets/index.js'
 * ```
 */
export function generatedPath(urlOrPath: string): string {
  return urlOrPath
    .replace(/^[a-z][\w+.-]*:\/\/[^/]*/i, '')
    .replace(/[?#].*$/, '')
    .replaceAll('\\', '/')
    .replace(/^(\.?\/)+/, '');
}

/** The last segment of a {@link generatedPath}: what lookups are indexed by. */
export function generatedFileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Stores (or replaces) the release's maps for the given files. */
export async function saveSourceMaps(
  context: StoreContext,
  tenant: Tenant,
  input: { projectId: string; release: string; files: readonly SourceMapFile[] },
): Promise<{ saved: string[] }> {
  const now = new Date(context.clock.now()).toISOString();
  return context.asTenant(tenant, async (transaction) => {
    const project = isUuid(input.projectId)
      ? await transaction.query('SELECT 1 FROM incident_projects WHERE id = $1', [input.projectId])
      : { rows: [] };
    if (project.rows.length === 0) throw notFound('project', input.projectId);
    const saved: string[] = [];
    for (const file of input.files) {
      const path = generatedPath(file.path);
      await transaction.query(
        `INSERT INTO source_maps (team_id, user_id, project_id, release, file_path, file_name, map, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (project_id, release, file_path) DO UPDATE SET map = EXCLUDED.map, created_at = EXCLUDED.created_at`,
        [tenant.teamId, tenant.userId, input.projectId, input.release, path, generatedFileName(path), file.map, now],
      );
      saved.push(path);
    }
    return { saved };
  });
}

/** The release's maps whose file name is one of `fileNames`, as `{ path, map }`. */
export async function findSourceMaps(
  context: StoreContext,
  tenant: Tenant,
  input: { projectId: string; release: string; fileNames: readonly string[] },
): Promise<SourceMapFile[]> {
  if (input.fileNames.length === 0 || !isUuid(input.projectId)) return [];
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<{ file_path: string; map: string }>(
      `SELECT file_path, map FROM source_maps WHERE project_id = $1 AND release = $2 AND file_name = ANY($3::text[])`,
      [input.projectId, input.release, [...input.fileNames]],
    );
    return rows.map((row) => ({ path: row.file_path, map: row.map }));
  });
}
