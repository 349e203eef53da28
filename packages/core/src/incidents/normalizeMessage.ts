import { emailPattern } from './scrubSecrets.js';

const maxNormalizedLength = 1000;

/**
 * Replaces the parts of an error message that change between occurrences of the same problem
 * (URLs, e-mail addresses, UUIDs, hex ids and hashes, numbers) with placeholders, so messages
 * can be grouped. The input is cut to 1000 characters first, which keeps every pattern linear.
 *
 * @example
 * ```ts
 * import { normalizeMessage } from '@fragmentkit/core';
 *
 * normalizeMessage('Order 42 for ana@example.com failed: GET https://api.test/orders/42 returned 503');
 * // 'Order <n> for <email> failed: GET <url> returned <n>'
 * ```
 */
export function normalizeMessage(message: string): string {
  return (
    String(message)
      .slice(0, maxNormalizedLength)
      .replace(/\b[a-z][\w+.-]*:\/\/[^\s"'<>]+/gi, '<url>')
      .replace(emailPattern, '<email>')
      .replace(/\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b/gi, '<uuid>')
      .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
      // Hex ids and hashes need a digit and a letter: `facade` is a word, `123456` is left for `<n>`.
      .replace(/\b[0-9a-f]{6,}\b/gi, (word) => (/\d/.test(word) && /[a-f]/i.test(word) ? '<hex>' : word))
      .replace(/\d+(?:\.\d+)?/g, '<n>')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
