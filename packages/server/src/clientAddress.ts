// A symbol property, not a header: a client can send any header, but only code in this
// process can set a property on the Request object. Symbol.for survives duplicate copies of
// the package.
const clientAddressKey = Symbol.for('fragmentkit.clientAddress');

/**
 * Tells the fragmentkit handler the address of the peer that sent `request` (the socket's
 * remote address). The built-in adapters do this already; call it when you write an adapter
 * for another host, e.g. Bun's `server.requestIP(request)`. Guest mode and rate limits key on
 * it. Returns the same request.
 *
 * @example
 * ```ts
 * import { setClientAddress } from '@fragmentkit/server';
 *
 * Bun.serve({
 *   fetch: (request, server) => fragmentkit.handler(setClientAddress(request, server.requestIP(request)?.address)),
 * });
 * ```
 */
export function setClientAddress(request: Request, address: string | null | undefined): Request {
  if (address) Object.defineProperty(request, clientAddressKey, { value: address, configurable: true });
  return request;
}

/**
 * Options that decide where the client's IP address comes from; see `createFragmentkit`.
 *
 * @example
 * ```ts
 * const behindOneProxy: ClientIpOptions = { trustProxy: 1 };
 * ```
 */
export interface ClientIpOptions {
  /**
   * Whether to believe `X-Forwarded-For`. `false` (default): use the socket address. A number
   * `n`: there are `n` proxies in front of the server that each append the address they saw,
   * so the client is the `n`th address from the right. `true`: every hop is trusted; use the
   * leftmost address. A client can put anything in that header, so only trust what your own
   * proxies write.
   */
  trustProxy?: boolean | number;
  /** Finds the client address yourself, e.g. from `cf-connecting-ip` on Cloudflare; replaces the rules above. */
  getClientIp?: (request: Request) => string | null | undefined;
}

/** The client's IP address by the rules of {@link ClientIpOptions}, or undefined when unknown. */
export function resolveClientIp(request: Request, options: ClientIpOptions): string | undefined {
  if (options.getClientIp) return normalizeAddress(options.getClientIp(request) ?? undefined);
  const peer = normalizeAddress((request as unknown as Record<symbol, unknown>)[clientAddressKey]);
  const trust = options.trustProxy ?? false;
  if (trust === false || trust === 0) return peer;
  const hops = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (hops.length === 0) return peer;
  const index = trust === true ? 0 : Math.max(0, hops.length - trust);
  return normalizeAddress(hops[index]) ?? peer;
}

// Text that can be an IPv4 or IPv6 address; anything else (ports, garbage) is not used as a key.
const addressPattern = /^[0-9a-f:.]{2,45}$/i;

function normalizeAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const address = value.trim().toLowerCase();
  if (!addressPattern.test(address)) return undefined;
  // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; one client should have one key.
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
