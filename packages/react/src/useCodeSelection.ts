import { type Attachment, createAttachment, type LineRange, sliceLines } from '@fragmentkit/core';
import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { lineOfNode, linesOfRange } from './lineSelection.js';
import { matchesShortcut, parseShortcut } from './shortcut.js';
import { useAttachments } from './useAttachments.js';

/**
 * The shortcut that attaches the current selection: Cmd+Shift+L on macOS, Ctrl+Shift+L elsewhere.
 *
 * @example
 * ```tsx
 * <CodeView code={source} filePath="src/App.tsx" attachShortcut={defaultAttachShortcut} />
 * ```
 */
export const defaultAttachShortcut = 'Mod+Shift+L';

/** Whole lines of code the user selected, and their text. */
export interface CodeSelection {
  range: LineRange;
  /** The selected lines of `code`, whole, whatever part of them the DOM selection covered. */
  text: string;
}

/** Options of {@link useCodeSelection}. */
export interface UseCodeSelectionOptions {
  /** Path of the file shown, as the model should see it, e.g. `src/App.tsx`. */
  filePath: string;
  /** The full source shown in the container; attached text is cut from it, not from the DOM. */
  code: string;
  /** Language id; guessed from `filePath` when omitted. */
  language?: string;
  /**
   * Shortcut that attaches the selection while it lies in the container, e.g. `Mod+Shift+L`
   * (`Mod` is Cmd or Ctrl). `false` turns it off. Defaults to {@link defaultAttachShortcut}.
   */
  attachShortcut?: string | false;
}

/** What {@link useCodeSelection} returns. */
export interface UseCodeSelectionResult {
  /** The lines selected in the container, kept up to date as the selection changes. */
  selection: CodeSelection | null;
  /**
   * Reads the selection now. A collapsed selection (a caret) means its line; when nothing in the
   * container is selected, the line holding `at` (e.g. a right-click target) is used.
   */
  getSelection: (at?: Node | null) => CodeSelection | null;
  /** Attaches what {@link UseCodeSelectionResult.getSelection} returns. @returns the attachment, or `null` when nothing was selected. */
  attachSelection: (at?: Node | null) => Attachment | null;
  /** Attaches a selection read earlier, e.g. when a context menu opened. */
  attach: (selection: CodeSelection) => Attachment;
}

/** The lines of `code`; a final line break ends the last line rather than starting an empty one. */
function codeLines(code: string): string[] {
  const lines = code.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function readSelection(container: Element, code: string, at: Node | null | undefined): CodeSelection | null {
  const selection = container.ownerDocument.getSelection();
  const domRange = selection && selection.rangeCount > 0 ? selection.getRangeAt(0) : null;
  let range = domRange ? linesOfRange(container, domRange) : null;
  const pointed = at ? lineOfNode(container, at) : null;
  if ((!range || domRange?.collapsed) && pointed !== null) range = { startLine: pointed, endLine: pointed };
  if (!range) return null;

  const lines = codeLines(code);
  const startLine = Math.min(range.startLine, lines.length);
  let endLine = Math.max(startLine, Math.min(range.endLine, lines.length));
  // Blank lines at the end of a selection add nothing for the model.
  while (endLine > startLine && lines[endLine - 1]?.trim() === '') endLine -= 1;
  const snapped = { startLine, endLine };
  return { range: snapped, text: sliceLines(code, snapped) };
}

function selectionTouches(container: Element): boolean {
  const selection = container.ownerDocument.getSelection();
  return selection !== null && selection.rangeCount > 0 && selection.getRangeAt(0).intersectsNode(container);
}

function sameSelection(a: CodeSelection | null, b: CodeSelection | null): boolean {
  return a?.range.startLine === b?.range.startLine && a?.range.endLine === b?.range.endLine && a?.text === b?.text;
}

/**
 * Turns the user's text selection inside a code container into whole-line attachments for the
 * nearest `FragmentkitProvider`.
 *
 * The container may be `<CodeView>` or any element whose line elements carry
 * `data-line="<n>"` (1-based), e.g. a `<pre>` from a syntax highlighter with one `<span
 * data-line>` per line. Put line numbers in `aria-hidden="true"` elements so they are not read
 * as code. Selections snap to whole lines; the attached text comes from `code`, so line
 * numbers and highlighting markup never leak into it.
 *
 * A button that attaches should prevent its `mousedown` default, or pressing it clears the
 * text selection before `attachSelection` reads it.
 *
 * @example
 * ```tsx
 * import { useRef } from 'react';
 * import { useCodeSelection } from '@fragmentkit/react';
 *
 * function HighlightedFile({ path, source, html }: { path: string; source: string; html: string[] }) {
 *   const ref = useRef<HTMLPreElement>(null);
 *   const { selection, attachSelection } = useCodeSelection(ref, { filePath: path, code: source });
 *   return (
 *     <>
 *       <pre ref={ref}>
 *         {html.map((line, index) => (
 *           <span key={index} data-line={index + 1} dangerouslySetInnerHTML={{ __html: `${line}\n` }} />
 *         ))}
 *       </pre>
 *       <button
 *         type="button"
 *         disabled={!selection}
 *         onMouseDown={(event) => event.preventDefault()}
 *         onClick={() => attachSelection()}
 *       >
 *         Attach selection
 *       </button>
 *     </>
 *   );
 * }
 * ```
 */
export function useCodeSelection(
  containerRef: RefObject<Element | null>,
  { filePath, code, language, attachShortcut = defaultAttachShortcut }: UseCodeSelectionOptions,
): UseCodeSelectionResult {
  const { add } = useAttachments();
  const [selection, setSelection] = useState<CodeSelection | null>(null);
  const selectionRef = useRef(selection);

  const getSelection = useCallback(
    (at?: Node | null) => {
      const container = containerRef.current;
      return container ? readSelection(container, code, at) : null;
    },
    [containerRef, code],
  );

  const attach = useCallback(
    (chosen: CodeSelection) => {
      const attachment = createAttachment({ filePath, text: chosen.text, range: chosen.range, language });
      add(attachment);
      return attachment;
    },
    [add, filePath, language],
  );

  const attachSelection = useCallback(
    (at?: Node | null) => {
      const current = getSelection(at);
      return current ? attach(current) : null;
    },
    [getSelection, attach],
  );

  // Listeners read the container when they fire, so a container rendered later still works.
  useEffect(() => {
    const update = () => {
      const container = containerRef.current;
      const next = container && selectionTouches(container) ? readSelection(container, code, null) : null;
      if (sameSelection(next, selectionRef.current)) return;
      selectionRef.current = next;
      setSelection(next);
    };
    update();
    document.addEventListener('selectionchange', update);
    return () => document.removeEventListener('selectionchange', update);
  }, [containerRef, code]);

  useEffect(() => {
    if (attachShortcut === false) return;
    const shortcut = parseShortcut(attachShortcut);
    const onKeyDown = (event: KeyboardEvent) => {
      const container = containerRef.current;
      if (!container || event.defaultPrevented || !matchesShortcut(event, shortcut)) return;
      const focusInside = document.activeElement !== null && container.contains(document.activeElement);
      if (!selectionTouches(container) && !focusInside) return;
      if (attachSelection()) event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [containerRef, attachShortcut, attachSelection]);

  return { selection, getSelection, attachSelection, attach };
}
