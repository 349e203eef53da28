/** Every ingest key starts with this, so a leaked one is easy to recognise (and to scan for). */
export const ingestKeyPrefix = 'fki_';

const keyPattern = /^fki_[A-Za-z0-9_-]{43}$/;

/**
 * A new ingest key: `fki_` and 32 random bytes in base64url (256 bits), plus what the store
 * keeps of it: the SHA-256 hash and a short prefix that names the key in listings. The key
 * itself is shown once and never stored.
 *
 * @example
 * ```ts
 * const { key, hash, prefix } = await generateIngestKey();
 * // key: 'fki_3q2-…', prefix: 'fki_3q2-Xa', hash: 64 hex characters
 * ```
 */
export async function generateIngestKey(): Promise<{ key: string; hash: string; prefix: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const key = `${ingestKeyPrefix}${base64Url(bytes)}`;
  return { key, hash: await hashIngestKey(key), prefix: key.slice(0, ingestKeyPrefix.length + 6) };
}

/**
 * The SHA-256 of an ingest key, in hex: what the store looks keys up by.
 *
 * @example
 * ```ts
 * const hash = await hashIngestKey(bearerToken);
 * ```
 */
export async function hashIngestKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether text has the shape of an ingest key; anything else is refused before any lookup.
 *
 * @example
 * ```ts
 * isIngestKeyShaped('fki_abc'); // false: too short
 * ```
 */
export function isIngestKeyShaped(text: string): boolean {
  return keyPattern.test(text);
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
