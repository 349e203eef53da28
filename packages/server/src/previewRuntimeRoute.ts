import { FragmentkitError } from '@fragmentkit/core';
import type { RouteHandler } from './router.js';

/**
 * Serves the in-browser preview's runtime (React plus a renderer) at
 * `GET {basePath}/preview/runtime.js`, where `<FragmentPreview>` of `@fragmentkit/react` looks
 * for it by default. The server does not depend on the React package: the host passes the
 * script's text, usually read from `@fragmentkit/react/preview-runtime.js`, so the runtime
 * always matches the React package the client was built with.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { createRequire } from 'node:module';
 * import { createFragmentkit } from '@fragmentkit/server';
 *
 * const runtimePath = createRequire(import.meta.url).resolve('@fragmentkit/react/preview-runtime.js');
 * const fragmentkit = createFragmentkit({
 *   model,
 *   preview: { runtime: () => readFile(runtimePath, 'utf8') },
 * });
 * ```
 */
export interface PreviewRuntimeOptions {
  /** The runtime's JavaScript, or a function that loads it; called once, on the first request, and again only after a failure. */
  runtime: string | (() => string | Promise<string>);
}

interface LoadedRuntime {
  body: string;
  etag: string;
}

async function load(runtime: PreviewRuntimeOptions['runtime']): Promise<LoadedRuntime> {
  const body = typeof runtime === 'string' ? runtime : await runtime();
  if (typeof body !== 'string' || body.length === 0) {
    throw new FragmentkitError(
      'INTERNAL',
      'preview.runtime gave no script: it must be the text of preview-runtime.js.',
    );
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
  const hex = Array.from(new Uint8Array(digest).slice(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return { body, etag: `"${hex}"` };
}

function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/**
 * `GET {basePath}/preview/runtime.js`. Preview frames have an opaque origin and load the
 * script in CORS mode (`crossorigin="anonymous"`), so it is served to any origin, without
 * credentials: a browser hides the details of errors from cross-origin scripts loaded
 * without CORS, and those details are what the preview reports. The script is public code
 * with no user data. Browsers revalidate it each time (`no-cache`) and get a 304 while the
 * ETag matches, so a deploy takes effect at once.
 */
export function createPreviewRuntimeRoute(options: PreviewRuntimeOptions): RouteHandler {
  let loading: Promise<LoadedRuntime> | undefined;
  return async (request) => {
    loading ??= load(options.runtime);
    let runtime: LoadedRuntime;
    try {
      runtime = await loading;
    } catch (error) {
      // Not cached: a file that was missing at the first request may be there at the next.
      loading = undefined;
      throw error;
    }
    const headers = {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
      etag: runtime.etag,
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    };
    if (matchesEtag(request.headers.get('if-none-match'), runtime.etag))
      return new Response(null, { status: 304, headers });
    return new Response(runtime.body, { headers });
  };
}
