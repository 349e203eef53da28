/**
 * A fast, synchronous 64-bit hash of `text` as 16 hex digits, with line endings normalised
 * (`\r\n` and `\r` hash like `\n`) so a file checked out on Windows hashes like the same file on
 * Linux. It runs anywhere (no `node:crypto`, no `crypto.subtle`, which is async).
 *
 * It is for change detection: telling whether an attached snippet still matches the file. It is
 * not a cryptographic hash; never use it for integrity against an adversary or for secrets.
 *
 * @example
 * ```ts
 * import { contentHash, sliceLines } from '@fragmentkit/core';
 *
 * const stale = contentHash(sliceLines(currentSource, attachment.range)) !== attachment.contentHash;
 * ```
 */
export function contentHash(text: string): string {
  // cyrb53's two multiply-xorshift lanes (public domain, bryc), kept at full 2 x 32 bits.
  let lane1 = 0xdeadbeef;
  let lane2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    let code = text.charCodeAt(index);
    if (code === 13) {
      if (text.charCodeAt(index + 1) === 10) continue;
      code = 10;
    }
    lane1 = Math.imul(lane1 ^ code, 2654435761);
    lane2 = Math.imul(lane2 ^ code, 1597334677);
  }
  lane1 = Math.imul(lane1 ^ (lane1 >>> 16), 2246822507);
  lane1 ^= Math.imul(lane2 ^ (lane2 >>> 13), 3266489909);
  lane2 = Math.imul(lane2 ^ (lane2 >>> 16), 2246822507);
  lane2 ^= Math.imul(lane1 ^ (lane1 >>> 13), 3266489909);
  return toHex(lane2) + toHex(lane1);
}

function toHex(lane: number): string {
  return (lane >>> 0).toString(16).padStart(8, '0');
}
