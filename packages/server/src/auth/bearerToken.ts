/**
 * The token of `Authorization: Bearer <token>`, else the value of the cookie named `cookie`
 * (when given), else null. Other schemes (e.g. `Basic` from a staging password) are not ours
 * and count as no token.
 */
export function readBearerToken(request: Request, cookie: string | undefined): string | null {
  const authorization = request.headers.get('authorization');
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (match) return match[1]!;
  return cookie === undefined ? null : readCookie(request.headers.get('cookie'), cookie);
}

function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator === -1 || pair.slice(0, separator).trim() !== name) continue;
    const value = pair.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value) || null;
    } catch {
      return value || null;
    }
  }
  return null;
}
