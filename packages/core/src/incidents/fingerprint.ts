import { contentHash } from '../attachments/contentHash.js';
import { normalizeMessage } from './normalizeMessage.js';
import type { StackFrame } from './parseStackTrace.js';

/** What {@link fingerprint} groups by. */
export interface FingerprintInput {
  /** The exception type (`TypeError`). */
  type?: string;
  message?: string;
  frames?: readonly StackFrame[];
  /** Set by the client to group by its own rule; when present it replaces the computed grouping. */
  fingerprint?: readonly string[];
}

/**
 * A short, stable hex hash that is the same for every occurrence of one problem.
 *
 * - A client-supplied `fingerprint` wins.
 * - Otherwise the exception type plus each in-app frame's function name and file name. Line and
 *   column numbers, query strings, paths and build hashes in chunk names (`index-3f2a9b.js`) are
 *   left out, so a new deploy or an edit above the failing line keeps the group.
 * - With no in-app frame, the type plus the {@link normalizeMessage | normalised} message.
 *
 * @example
 * ```ts
 * import { fingerprint, parseStackTrace } from '@fragmentkit/core';
 *
 * const frames = parseStackTrace(error.stack ?? '');
 * const group = fingerprint({ type: error.name, message: error.message, frames });
 * ```
 */
export function fingerprint(event: FingerprintInput): string {
  if (event.fingerprint && event.fingerprint.length > 0) {
    return contentHash(['custom', ...event.fingerprint].join('\n'));
  }
  const type = event.type || 'Error';
  const keys: string[] = [];
  for (const frame of event.frames ?? []) {
    if (!frame.inApp) continue;
    const key = `${frame.function ?? '?'} ${fileName(frame.file ?? '')}`;
    // Recursion depth varies between occurrences; one entry per run of identical frames.
    if (keys[keys.length - 1] !== key) keys.push(key);
  }
  if (keys.length > 0) return contentHash(['frames', type, ...keys].join('\n'));
  return contentHash(['message', type, normalizeMessage(event.message ?? '')].join('\n'));
}

/** `https://x/assets/index-CjXmhfA1.js?v=2` → `index.js`; `main.4a4119c3cdfd1026.chunk.js` → `main.chunk.js`. */
function fileName(file: string): string {
  if (/^(blob|data):/.test(file)) return file.slice(0, 4);
  const path = file.replace(/[?#].*$/, '');
  return path
    .slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1)
    .replace(/[-.]([0-9a-f]{6,}|[\w-]{8})(?=\.)/g, (segment, hash: string) => (isBuildHash(hash) ? '' : segment));
}

/**
 * Bundlers name chunks with hex (webpack: `main.4a4119c3.js`) or 8 base64url characters (Vite,
 * Rollup: `index-CjXmhfA1.js`); those nearly always hold a digit or a lower-upper pair. Words
 * (`facade`, `renderer`, `Settings`) hold neither.
 */
function isBuildHash(hash: string): boolean {
  return /\d|[a-z][A-Z]/.test(hash);
}
