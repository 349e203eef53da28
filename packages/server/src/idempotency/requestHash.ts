/**
 * A SHA-256 (hex) of a request body as canonical JSON, with object keys sorted, so the same
 * request hashes the same however its client ordered the keys or spaced the JSON. An
 * `Idempotency-Key` that comes back with a body of another hash is a different request.
 *
 * @example
 * ```ts
 * import { hashRequestBody } from '@fragmentkit/server';
 * (await hashRequestBody({ b: 1, a: 2 })) === (await hashRequestBody({ a: 2, b: 1 })); // true
 * ```
 */
export async function hashRequestBody(body: unknown): Promise<string> {
  const canonical = JSON.stringify(body, (_key, value: unknown) =>
    isPlainObject(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
  return sha256Hex(canonical ?? 'undefined');
}

/** SHA-256 of UTF-8 text, in hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
