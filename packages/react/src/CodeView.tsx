import { type MouseEvent, useMemo, useRef, useState } from 'react';
import { AttachSelectionMenu } from './AttachSelectionMenu.js';
import { lineRangeLabel } from './lineRangeLabel.js';
import { type CodeSelection, defaultAttachShortcut, useCodeSelection } from './useCodeSelection.js';

/** Props of {@link CodeView}. */
export interface CodeViewProps {
  /** The full source to show. */
  code: string;
  /** Path of the file, as the model should see it, e.g. `src/App.tsx`. */
  filePath: string;
  /** Language id; guessed from `filePath` when omitted. */
  language?: string;
  className?: string;
  /**
   * Shortcut that attaches the selected lines, e.g. `Mod+Shift+L` (`Mod` is Cmd or Ctrl);
   * `false` turns it off. Defaults to {@link defaultAttachShortcut}.
   */
  attachShortcut?: string | false;
}

interface OpenMenu {
  x: number;
  y: number;
  selection: CodeSelection;
}

const lineNumberStyle = { userSelect: 'none' } as const;

function splitLines(code: string): string[] {
  const lines = code.split(/\r\n|\r|\n/);
  // A file's final newline ends the last line; it does not start an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Shows code with line numbers and lets the user attach lines as context: select lines (or
 * just click in one) and right-click for "Attach lines 3–5", or press the attach shortcut.
 * Must be inside a `FragmentkitProvider`. Unstyled it is a plain `<pre>`; import
 * `@fragmentkit/react/styles.css` or style the `fk-` classes.
 *
 * Each line is a `<span data-line="n">`; line numbers are `aria-hidden` and not selectable, so
 * they neither reach screen readers as code nor pollute copied text.
 *
 * @example
 * ```tsx
 * import { AttachedContextPanel, CodeView, FragmentkitProvider } from '@fragmentkit/react';
 * import '@fragmentkit/react/styles.css';
 *
 * export function Editor({ source }: { source: string }) {
 *   return (
 *     <FragmentkitProvider>
 *       <CodeView code={source} filePath="src/App.tsx" language="tsx" />
 *       <AttachedContextPanel />
 *     </FragmentkitProvider>
 *   );
 * }
 * ```
 */
export function CodeView({
  code,
  filePath,
  language,
  className,
  attachShortcut = defaultAttachShortcut,
}: CodeViewProps) {
  const preRef = useRef<HTMLPreElement>(null);
  const { getSelection, attach } = useCodeSelection(preRef, { filePath, code, language, attachShortcut });
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const lines = useMemo(() => splitLines(code), [code]);

  function openMenu(event: MouseEvent<HTMLPreElement>) {
    const selection = getSelection(event.target as Node);
    if (!selection) return;
    event.preventDefault();
    // A menu opened from the keyboard has no pointer position; anchor it to the code instead.
    const fromKeyboard = event.clientX === 0 && event.clientY === 0;
    const anchor = fromKeyboard
      ? event.currentTarget.getBoundingClientRect()
      : { left: event.clientX, top: event.clientY };
    setMenu({ x: anchor.left, y: anchor.top, selection });
  }

  return (
    <div className={className ? `fk-code-view ${className}` : 'fk-code-view'} data-file-path={filePath}>
      {/* Focusable so keyboard users can scroll it and open its context menu; named by its file. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      {/* biome-ignore lint/a11y/useSemanticElements: code must stay in a <pre>; the role only gives it a name */}
      <pre ref={preRef} className="fk-code" tabIndex={0} role="group" aria-label={filePath} onContextMenu={openMenu}>
        <code>
          {lines.map((line, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a line is identified by its position
            <span key={index} className="fk-code-line" data-line={index + 1}>
              <span className="fk-line-number" aria-hidden="true" style={lineNumberStyle}>
                {index + 1}
              </span>
              <span className="fk-line-content">{`${line}\n`}</span>
            </span>
          ))}
        </code>
      </pre>
      {menu && (
        <AttachSelectionMenu
          x={menu.x}
          y={menu.y}
          label={`Attach ${lineRangeLabel(menu.selection.range)}`}
          onAttach={() => {
            attach(menu.selection);
            setMenu(null);
          }}
          onClose={() => setMenu(null)}
        />
      )}
    </div>
  );
}
