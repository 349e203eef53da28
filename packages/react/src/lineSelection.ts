import type { LineRange } from '@fragmentkit/core';

/**
 * Maps a DOM selection inside a code container to whole lines. A line is any element with a
 * `data-line="<n>"` attribute (1-based); text inside `aria-hidden="true"` elements, such as
 * line numbers, does not count as selected code.
 */

const lineSelector = '[data-line]';

function closestLine(node: Node | null, container: Element): Element | null {
  const element = node?.nodeType === Node.ELEMENT_NODE ? (node as Element) : (node?.parentElement ?? null);
  const line = element?.closest(lineSelector) ?? null;
  return line && container.contains(line) ? line : null;
}

function lineNumber(line: Element): number {
  return Number.parseInt(line.getAttribute('data-line') ?? '', 10);
}

/** The line element a range boundary falls in, looking into element boundaries that sit above the lines. */
function lineAtBoundary(container: Element, node: Node, offset: number, edge: 'start' | 'end'): Element | null {
  let target = node;
  if (node.nodeType === Node.ELEMENT_NODE && node.childNodes.length > 0) {
    const index = edge === 'start' ? Math.min(offset, node.childNodes.length - 1) : Math.max(offset - 1, 0);
    target = node.childNodes[index] ?? node;
  }
  const line = closestLine(target, container);
  if (line) return line;
  if (target.nodeType !== Node.ELEMENT_NODE) return null;
  const inside = [...(target as Element).querySelectorAll(lineSelector)];
  return (edge === 'start' ? inside[0] : inside[inside.length - 1]) ?? null;
}

/** The code text of `line` that `range` covers, without hidden text such as line numbers. */
function selectedText(line: Element, range: Range): string {
  const lineRange = line.ownerDocument.createRange();
  lineRange.selectNodeContents(line);
  if (range.compareBoundaryPoints(Range.START_TO_START, lineRange) > 0) {
    lineRange.setStart(range.startContainer, range.startOffset);
  }
  if (range.compareBoundaryPoints(Range.END_TO_END, lineRange) < 0) {
    lineRange.setEnd(range.endContainer, range.endOffset);
  }
  const contents = lineRange.cloneContents();
  for (const hidden of contents.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
  return contents.textContent ?? '';
}

function withoutNewlines(text: string): string {
  return text.replace(/[\r\n]/g, '');
}

/**
 * The whole lines a DOM range covers inside `container`, or `null` when it does not touch any
 * line. A range reaching outside the container is clamped to its first or last line. A line
 * the range merely touches at its edge (ending at column 0, or starting after the last
 * character) is left out, as code editors do.
 */
export function linesOfRange(container: Element, range: Range): LineRange | null {
  if (!range.intersectsNode(container)) return null;
  const lines = container.querySelectorAll(lineSelector);
  const firstLine = lines[0];
  const lastLine = lines[lines.length - 1];
  if (!firstLine || !lastLine) return null;

  const startElement = container.contains(range.startContainer)
    ? lineAtBoundary(container, range.startContainer, range.startOffset, 'start')
    : firstLine;
  const endElement = container.contains(range.endContainer)
    ? lineAtBoundary(container, range.endContainer, range.endOffset, 'end')
    : lastLine;
  if (!startElement || !endElement) return null;

  let startLine = lineNumber(startElement);
  let endLine = lineNumber(endElement);
  if (Number.isNaN(startLine) || Number.isNaN(endLine)) return null;
  if (range.collapsed || startElement === endElement) return { startLine, endLine: startLine };

  const startsAfterLineEnd =
    withoutNewlines(selectedText(startElement, range)) === '' &&
    withoutNewlines(selectedText(startElement, rangeOver(startElement))) !== '';
  if (startsAfterLineEnd) startLine += 1;
  if (selectedText(endElement, range) === '') endLine -= 1;
  if (endLine < startLine) return null;
  return { startLine: Math.min(startLine, endLine), endLine: Math.max(startLine, endLine) };
}

function rangeOver(element: Element): Range {
  const range = element.ownerDocument.createRange();
  range.selectNodeContents(element);
  return range;
}

/** The line number of the line element holding `node`, or `null` when it is not inside one. */
export function lineOfNode(container: Element, node: Node | null): number | null {
  const line = closestLine(node, container);
  if (!line) return null;
  const number = lineNumber(line);
  return Number.isNaN(number) ? null : number;
}
