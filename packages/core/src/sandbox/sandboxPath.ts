import { FragmentkitError } from '../errors.js';

const maxPathLength = 1024;

/**
 * Folder of the work directory that fragmentkit keeps for itself (snippets, installed Python
 * packages, server sockets). Fragments may not write into it.
 */
export const reservedSandboxFolder = '.fragmentkit';

/**
 * Checks a path a fragment wants to write and returns it in canonical form (`./a//b` becomes
 * `a/b`). Paths stay inside the work directory: absolute paths, `..` segments, backslashes,
 * control characters and the reserved `.fragmentkit` folder are rejected.
 *
 * @throws FragmentkitError `INVALID_REQUEST` with `details: { path }` for a path that is not allowed.
 *
 * @example
 * ```ts
 * import { normalizeSandboxPath } from '@fragmentkit/core';
 *
 * normalizeSandboxPath('./pages//index.tsx'); // 'pages/index.tsx'
 * normalizeSandboxPath('../etc/passwd'); // throws INVALID_REQUEST
 * ```
 */
export function normalizeSandboxPath(path: string): string {
  const reject = (why: string) =>
    new FragmentkitError('INVALID_REQUEST', `File path ${JSON.stringify(String(path).slice(0, 200))} ${why}.`, {
      details: { path: String(path).slice(0, 200) },
    });
  if (typeof path !== 'string' || path.length === 0) throw reject('is empty');
  if (path.length > maxPathLength) throw reject(`is longer than ${maxPathLength} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected here
  if (/[\u0000-\u001f\u007f]/.test(path)) throw reject('contains control characters');
  if (path.includes('\\')) throw reject('contains a backslash; use forward slashes');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw reject('is absolute; use a path relative to the project');
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw reject('leaves the project folder (..)');
  if (segments.length === 0) throw reject('names no file');
  if (segments[0] === reservedSandboxFolder) throw reject(`is inside the reserved ${reservedSandboxFolder} folder`);
  return segments.join('/');
}
