/**
 * Headers every API response carries: no MIME sniffing, no referrer, never framed, nothing
 * to run if a browser ever renders one, and no caching unless a route chose its own policy
 * (event streams say `no-cache, no-transform`).
 */
export function applySecurityHeaders(response: Response): void {
  const { headers } = response;
  headers.set('x-content-type-options', 'nosniff');
  headers.set('referrer-policy', 'no-referrer');
  headers.set('x-frame-options', 'DENY');
  headers.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
}
