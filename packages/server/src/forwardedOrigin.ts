/** The scheme and host a reverse proxy says the client used; each undefined when not forwarded. */
export interface ForwardedOrigin {
  protocol: 'http' | 'https' | undefined;
  host: string | undefined;
}

/**
 * Reads `x-forwarded-proto` and `x-forwarded-host` (the first entry of each, as the proxy
 * nearest the client wrote it). Hosts call this only when they trust their proxy.
 */
export function forwardedOrigin(getHeader: (name: string) => string | string[] | null | undefined): ForwardedOrigin {
  const protocol = firstValue(getHeader('x-forwarded-proto'));
  return {
    protocol: protocol === 'https' || protocol === 'http' ? protocol : undefined,
    host: firstValue(getHeader('x-forwarded-host')),
  };
}

function firstValue(header: string | string[] | null | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim().toLowerCase() || undefined;
}
