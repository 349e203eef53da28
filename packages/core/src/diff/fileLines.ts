/**
 * One line of a file and the line break that ended it (`''` for a last line without one).
 *
 * @example
 * ```ts
 * const line: FileLine = { text: 'const a = 1;', lineBreak: '\r\n' };
 * ```
 */
export interface FileLine {
  text: string;
  lineBreak: '' | '\n' | '\r\n';
}

/**
 * A file split into lines, with the line break most of its lines use: added lines get it, so a
 * CRLF file stays CRLF after a patch written with `\n`.
 *
 * @example
 * ```ts
 * const { lines, lineBreak } = splitFileLines('a\r\nb\r\n');
 * lines.length; // 2
 * lineBreak; // '\r\n'
 * ```
 */
export interface SplitFile {
  lines: FileLine[];
  lineBreak: '\n' | '\r\n';
}

/**
 * Splits file content into lines, keeping each line's own line break so unchanged lines come
 * back byte for byte. An empty file has no lines.
 *
 * @example
 * ```ts
 * splitFileLines('a\nb').lines; // [{ text: 'a', lineBreak: '\n' }, { text: 'b', lineBreak: '' }]
 * ```
 */
export function splitFileLines(content: string): SplitFile {
  const lines: FileLine[] = [];
  let crlf = 0;
  let lf = 0;
  let start = 0;
  while (start < content.length) {
    const end = content.indexOf('\n', start);
    if (end === -1) {
      lines.push({ text: content.slice(start), lineBreak: '' });
      break;
    }
    if (end > start && content[end - 1] === '\r') {
      lines.push({ text: content.slice(start, end - 1), lineBreak: '\r\n' });
      crlf += 1;
    } else {
      lines.push({ text: content.slice(start, end), lineBreak: '\n' });
      lf += 1;
    }
    start = end + 1;
  }
  return { lines, lineBreak: crlf > lf ? '\r\n' : '\n' };
}

/**
 * Joins lines back into file content.
 *
 * @example
 * ```ts
 * joinFileLines([{ text: 'a', lineBreak: '\n' }]); // 'a\n'
 * ```
 */
export function joinFileLines(lines: readonly FileLine[]): string {
  return lines.map((line) => line.text + line.lineBreak).join('');
}
