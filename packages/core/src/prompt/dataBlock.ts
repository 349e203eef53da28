/**
 * Wraps content that is data, not instructions (attached code, error output, tool results,
 * summaries, earlier fragments) the way every part of a fragmentkit prompt does: a one-line
 * label, then the content in a Markdown fence longer than any backtick run inside it, so the
 * content can neither end the block early nor start lines outside it. The system prompt tells
 * the model that such blocks are data.
 *
 * @example
 * ```ts
 * import { renderDataBlock } from '@fragmentkit/core';
 *
 * renderDataBlock('Tool output: npm test', testOutput, 'text');
 * // Tool output: npm test
 * // ```text
 * // ...
 * // ```
 * ```
 */
export function renderDataBlock(label: string, content: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(content) + 1));
  // The language comes from the client: keep it from ending the fence's info string.
  const info = language.replace(/[^\w#+.-]/g, '');
  return `${toSingleLine(label)}\n${fence}${info}\n${content}\n${fence}`;
}

/** Text from the client as one line: a path or label must not start lines of its own. */
export function toSingleLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}
