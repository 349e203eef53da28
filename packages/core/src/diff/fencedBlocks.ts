/**
 * One fenced code block of a Markdown text, as {@link findFencedBlocks} found it.
 *
 * @example
 * ```ts
 * const block: FencedBlock = { info: 'diff', content: '--- a/x\n+++ b/x\n', startLine: 3, endLine: 6, closed: true };
 * ```
 */
export interface FencedBlock {
  /** The info string after the opening fence, trimmed (`diff`, `ts title="x"`, or empty). */
  info: string;
  /** The lines between the fences, each ending with `\n`. */
  content: string;
  /** 0-based index of the opening fence line. */
  startLine: number;
  /** 0-based index of the closing fence line, or of the last line when the block is not closed. */
  endLine: number;
  /** False when the text ended before the closing fence, e.g. a truncated model answer. */
  closed: boolean;
}

const openingFence = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/**
 * Finds the fenced code blocks (```` ``` ```` or `~~~`) of a Markdown text. A closing fence must
 * not be indented more than its opening fence, because a diff of a Markdown file has context
 * lines that are a fence after one space, and those must not end the block they sit in.
 *
 * @example
 * ```ts
 * const [block] = findFencedBlocks('Fix:\n```diff\n--- a/x\n```\n');
 * block.info; // 'diff'
 * ```
 */
export function findFencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const blocks: FencedBlock[] = [];
  let index = 0;
  while (index < lines.length) {
    const opening = openingFence.exec(lines[index]!);
    const fence = opening?.[2];
    // A backtick fence's info string may not contain backticks; such a line is inline code.
    if (!opening || !fence || (fence.startsWith('`') && opening[3]!.includes('`'))) {
      index += 1;
      continue;
    }
    const indent = opening[1]!.length;
    const closing = new RegExp(`^ {0,${indent}}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const contentLines: string[] = [];
    let end = index + 1;
    while (end < lines.length && !closing.test(lines[end]!)) {
      contentLines.push(lines[end]!);
      end += 1;
    }
    const closed = end < lines.length;
    blocks.push({
      info: opening[3]!.trim(),
      content: contentLines.map((line) => `${line}\n`).join(''),
      startLine: index,
      endLine: closed ? end : lines.length - 1,
      closed,
    });
    index = end + 1;
  }
  return blocks;
}
