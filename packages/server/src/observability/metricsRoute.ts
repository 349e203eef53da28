import { FragmentkitError } from '@fragmentkit/core';
import { readBearerToken } from '../auth/bearerToken.js';
import type { RouteHandler } from '../router.js';
import { prometheusContentType } from './prometheusText.js';
import type { FragmentkitMetrics } from './serverMetrics.js';

/**
 * `GET {basePath}/metrics`: every metric in the Prometheus text format. With a `token`, only
 * requests that send it as `Authorization: Bearer <token>` get them; others get 401.
 */
export function createMetricsRoute(metrics: FragmentkitMetrics, token: string | undefined): RouteHandler {
  return async (request) => {
    if (token !== undefined) {
      const presented = readBearerToken(request, undefined);
      if (presented === null || !(await sameSecret(presented, token))) {
        throw new FragmentkitError(
          'UNAUTHORIZED',
          'GET /metrics needs the metrics token as Authorization: Bearer <token>.',
          {
            details: { reason: presented === null ? 'missing_token' : 'invalid_token' },
          },
        );
      }
    }
    return new Response(metrics.toPrometheus(), {
      headers: { 'content-type': prometheusContentType, 'cache-control': 'no-store' },
    });
  };
}

/** Compares digests rather than the strings, so the time taken says nothing about the token. */
async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [left, right] = await Promise.all(
    [presented, expected].map(
      async (value) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(value))),
    ),
  );
  let difference = 0;
  for (let index = 0; index < left!.length; index += 1) difference |= left![index]! ^ right![index]!;
  return difference === 0;
}
