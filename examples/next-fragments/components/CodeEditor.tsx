'use client';

import { createAttachment, type LineRange, sliceLines } from '@fragmentkit/core';
import { lineRangeLabel, useAttachments } from '@fragmentkit/react';
import { type KeyboardEvent, type MouseEvent, useEffect, useRef, useState } from 'react';
import { AttachMenu, type AttachMenuItem } from './AttachMenu';
import { linesOfTextSelection } from './textSelectionLines';

interface CodeEditorProps {
  code: string;
  filePath: string;
  onChange: (code: string) => void;
  /** While an answer streams in, the code is shown but not editable. */
  readOnly?: boolean;
}

interface OpenMenu {
  x: number;
  y: number;
  items: AttachMenuItem[];
}

/** Cmd+Shift+L on macOS, Ctrl+Shift+L elsewhere: the same shortcut as `<CodeView>`. */
function isAttachShortcut(event: KeyboardEvent): boolean {
  return (event.metaKey || event.ctrlKey) && event.shiftKey && event.key.toLowerCase() === 'l';
}

/**
 * A plain textarea editor with line numbers. Select lines (or put the caret in one) and
 * right-click, press Ctrl/Cmd+Shift+L or use the toolbar to attach them as context.
 */
export function CodeEditor({ code, filePath, onChange, readOnly = false }: CodeEditorProps) {
  const { add } = useAttachments();
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const gutterRef = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState<LineRange>({ startLine: 1, endLine: 1 });
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const lineCount = code.split('\n').length;

  // React's onSelect misses selections made by script (and some by keyboard); the native
  // events catch them all, so the toolbar always names the lines it would attach.
  useEffect(() => {
    const textarea = textareaRef.current;
    if (!textarea) return;
    const update = () => setRange(linesOfTextSelection(textarea.value, textarea.selectionStart, textarea.selectionEnd));
    textarea.addEventListener('select', update);
    textarea.addEventListener('selectionchange', update);
    document.addEventListener('selectionchange', update);
    return () => {
      textarea.removeEventListener('select', update);
      textarea.removeEventListener('selectionchange', update);
      document.removeEventListener('selectionchange', update);
    };
  }, []);

  function currentRange(): LineRange {
    const textarea = textareaRef.current;
    if (!textarea) return range;
    return linesOfTextSelection(textarea.value, textarea.selectionStart, textarea.selectionEnd);
  }

  function attach(lines: LineRange) {
    add(createAttachment({ filePath, text: sliceLines(code, lines), range: lines }));
  }

  function menuItems(lines: LineRange): AttachMenuItem[] {
    const items: AttachMenuItem[] = [{ label: `Attach ${lineRangeLabel(lines)}`, onSelect: () => attach(lines) }];
    const textarea = textareaRef.current;
    if (lines.startLine !== lines.endLine && textarea) {
      const caretLine = linesOfTextSelection(textarea.value, textarea.selectionEnd, textarea.selectionEnd);
      items.push({ label: `Attach current ${lineRangeLabel(caretLine)}`, onSelect: () => attach(caretLine) });
    }
    return items;
  }

  function openMenu(event: MouseEvent<HTMLTextAreaElement>) {
    event.preventDefault();
    setMenu({ x: event.clientX, y: event.clientY, items: menuItems(currentRange()) });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (isAttachShortcut(event)) {
      event.preventDefault();
      attach(currentRange());
    } else if (event.key === 'Tab' && !event.shiftKey && !readOnly) {
      // Two spaces, as the generated code is indented; Shift+Tab still leaves the editor.
      event.preventDefault();
      document.execCommand('insertText', false, '  ');
    }
  }

  return (
    <div className="editor" data-file-path={filePath}>
      <div className="editor-toolbar">
        <span className="editor-path">{filePath}</span>
        <button
          type="button"
          className="fk-button"
          // Keep the textarea's selection: pressing the button must not move focus first.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => attach(currentRange())}
        >
          Attach {lineRangeLabel(range)}
        </button>
      </div>
      <div className="editor-body">
        <div className="editor-gutter" ref={gutterRef} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a line number is its position
            <div key={index}>{index + 1}</div>
          ))}
        </div>
        <textarea
          ref={textareaRef}
          className="editor-text"
          aria-label={`Code of ${filePath}`}
          value={code}
          readOnly={readOnly}
          spellCheck={false}
          wrap="off"
          onChange={(event) => onChange(event.target.value)}
          onSelect={() => setRange(currentRange())}
          onKeyDown={onKeyDown}
          onContextMenu={openMenu}
          onScroll={(event) => {
            if (gutterRef.current) gutterRef.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      {menu ? <AttachMenu x={menu.x} y={menu.y} items={menu.items} onClose={() => setMenu(null)} /> : null}
    </div>
  );
}
