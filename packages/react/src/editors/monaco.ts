'use client';

import type { Attachment, AttachmentStore, LineRange } from '@fragmentkit/core';
import type * as Monaco from 'monaco-editor';
import { useCallback, useEffect, useRef } from 'react';
import { useFragmentkit } from '../FragmentkitProvider.js';
import type { StaleAttachments } from '../staleAttachments.js';
import { createAttachmentTracker, type TrackedDocument } from './attachmentTracker.js';

/**
 * The parts of the `monaco-editor` namespace the adapter uses, passed in so that this module
 * imports only types and works with whichever copy of Monaco the host loaded (ESM or AMD).
 *
 * @example
 * ```ts
 * import * as monaco from 'monaco-editor';
 * const modules: MonacoModules = monaco;
 * ```
 */
export type MonacoModules = Pick<typeof Monaco, 'KeyMod' | 'KeyCode' | 'editor'>;

/**
 * Options of {@link monacoAttachments}.
 *
 * @example
 * ```ts
 * const options: MonacoAttachmentsOptions = { monaco, editor, store, filePath: 'src/App.tsx', keybinding: false };
 * ```
 */
export interface MonacoAttachmentsOptions {
  monaco: MonacoModules;
  editor: Monaco.editor.IStandaloneCodeEditor;
  /** Where attached snippets go, e.g. the `attachmentStore` of `useFragmentkit()`. */
  store: AttachmentStore;
  /** Path of the file in the editor, as the model should see it. */
  filePath: string;
  /** Fence language; guessed from `filePath` when omitted. */
  language?: string;
  /** Where edited attachments are marked stale, e.g. the `staleAttachments` of `useFragmentkit()`. */
  stale?: StaleAttachments;
  /** Monaco keybinding of the attach action; `false` for none. Default Ctrl/Cmd+Shift+L. */
  keybinding?: number | false;
  /** Class name of the whole-line decoration on attached lines. Default `fk-attached-lines`. */
  decorationClassName?: string;
}

/**
 * What {@link monacoAttachments} returns.
 *
 * @example
 * ```ts
 * const attachments: MonacoAttachments = monacoAttachments({ monaco, editor, store, filePath: 'src/App.tsx' });
 * editor.onDidDispose(() => attachments.dispose());
 * ```
 */
export interface MonacoAttachments {
  /** Attaches the editor's selection as whole lines (an empty one is its line). @returns the attachment. */
  attachSelection(): Attachment | null;
  /** Attaches the whole model as a `file` attachment. */
  attachFile(): Attachment;
  /** Removes the action, decorations and listeners. */
  dispose(): void;
}

/** The whole lines a Monaco selection covers, as the editor counts them. */
function selectedLines(selection: Monaco.Selection): LineRange {
  const startLine = selection.startLineNumber;
  let endLine = selection.endLineNumber;
  // A selection ending at column 1 of a later line does not select anything of that line.
  if (endLine > startLine && selection.endColumn === 1) endLine -= 1;
  return { startLine, endLine };
}

/**
 * Connects a Monaco editor to fragmentkit's attachments: an "Attach selection" context-menu
 * action with a keybinding (Ctrl/Cmd+Shift+L), whole-line decorations on attached lines that
 * follow edits, ranges re-read on every model content change, and snippets whose lines were
 * edited marked stale in `stale`, where `<AttachedContextPanel>` offers a one-click refresh.
 *
 * @example
 * ```ts
 * import * as monaco from 'monaco-editor';
 * import { monacoAttachments } from '@fragmentkit/react/monaco';
 *
 * const editor = monaco.editor.create(element, { value: source, language: 'typescript' });
 * const attachments = monacoAttachments({
 *   monaco,
 *   editor,
 *   store: attachmentStore,
 *   stale: staleAttachments,
 *   filePath: 'src/App.tsx',
 * });
 * attachFileButton.onclick = () => attachments.attachFile();
 * ```
 */
export function monacoAttachments(options: MonacoAttachmentsOptions): MonacoAttachments {
  const { monaco, editor } = options;
  const className = options.decorationClassName ?? 'fk-attached-lines';
  const model = () => {
    const current = editor.getModel();
    if (!current) throw new Error('The Monaco editor has no model: set one before attaching code.');
    return current;
  };

  const document: TrackedDocument<Monaco.editor.IEditorDecorationsCollection> = {
    // Monaco's own end-of-line choice would turn CRLF files into CRLF snippets; attachments use \n.
    text: () => model().getValue(monaco.editor.EndOfLinePreference.LF),
    lineCount: () => model().getLineCount(),
    lines(range) {
      const current = model();
      return current.getValueInRange(
        {
          startLineNumber: range.startLine,
          startColumn: 1,
          endLineNumber: range.endLine,
          endColumn: current.getLineMaxColumn(range.endLine),
        },
        monaco.editor.EndOfLinePreference.LF,
      );
    },
    anchor(range) {
      return editor.createDecorationsCollection([
        {
          range: {
            startLineNumber: range.startLine,
            startColumn: 1,
            endLineNumber: range.endLine,
            endColumn: model().getLineMaxColumn(range.endLine),
          },
          options: {
            isWholeLine: true,
            className,
            stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
          },
        },
      ]);
    },
    resolve(collection) {
      const range = collection.getRange(0);
      return range ? { startLine: range.startLineNumber, endLine: range.endLineNumber } : null;
    },
    release: (collection) => collection.clear(),
  };

  let tracker = createAttachmentTracker(document, options);
  tracker.sync();

  const attachSelection = () => {
    const selection = editor.getSelection();
    return selection ? tracker.attachLines(selectedLines(selection)) : null;
  };

  const keybinding =
    options.keybinding === undefined
      ? monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyL
      : options.keybinding;
  const action = editor.addAction({
    id: 'fragmentkit.attachSelection',
    label: 'Attach selection',
    contextMenuGroupId: '9_cutcopypaste',
    contextMenuOrder: 10,
    ...(keybinding === false ? {} : { keybindings: [keybinding] }),
    run: () => {
      attachSelection();
    },
  });
  const contentListener = editor.onDidChangeModelContent(() => tracker.sync());
  // Decorations belong to a model: a new model starts tracking afresh from the attached ranges.
  const modelListener = editor.onDidChangeModel(() => {
    tracker.destroy();
    if (!editor.getModel()) return;
    tracker = createAttachmentTracker(document, options);
    tracker.sync();
  });

  return {
    attachSelection,
    attachFile: () => tracker.attachFile(),
    dispose() {
      contentListener.dispose();
      modelListener.dispose();
      action.dispose();
      tracker.destroy();
    },
  };
}

/**
 * Options of {@link useMonacoAttachments}: those of {@link monacoAttachments} the provider does not supply.
 *
 * @example
 * ```ts
 * const options: UseMonacoAttachmentsOptions = { filePath: 'src/App.tsx', language: 'tsx' };
 * ```
 */
export type UseMonacoAttachmentsOptions = Pick<
  MonacoAttachmentsOptions,
  'filePath' | 'language' | 'keybinding' | 'decorationClassName'
>;

/**
 * {@link monacoAttachments} for the nearest `FragmentkitProvider`: attaches into its store and
 * marks stale snippets where its `<AttachedContextPanel>` sees them. Binds when `editor` is
 * set and unbinds on unmount or when the editor or file changes.
 *
 * @example
 * ```tsx
 * import * as monaco from 'monaco-editor';
 * import { useEffect, useRef, useState } from 'react';
 * import { useMonacoAttachments } from '@fragmentkit/react/monaco';
 *
 * function Editor({ path, source }: { path: string; source: string }) {
 *   const element = useRef<HTMLDivElement>(null);
 *   const [editor, setEditor] = useState<monaco.editor.IStandaloneCodeEditor | null>(null);
 *   useEffect(() => {
 *     const created = monaco.editor.create(element.current!, { value: source });
 *     setEditor(created);
 *     return () => created.dispose();
 *   }, [source]);
 *   const { attachFile } = useMonacoAttachments(monaco, editor, { filePath: path });
 *   return (
 *     <>
 *       <div ref={element} style={{ height: 400 }} />
 *       <button type="button" onClick={attachFile}>Attach file</button>
 *     </>
 *   );
 * }
 * ```
 */
export function useMonacoAttachments(
  monaco: MonacoModules,
  editor: Monaco.editor.IStandaloneCodeEditor | null,
  { filePath, language, keybinding, decorationClassName }: UseMonacoAttachmentsOptions,
): { attachSelection: () => Attachment | null; attachFile: () => Attachment | null } {
  const { attachmentStore: store, staleAttachments: stale } = useFragmentkit();
  const binding = useRef<MonacoAttachments | null>(null);
  useEffect(() => {
    if (!editor) return;
    const bound = monacoAttachments({
      monaco,
      editor,
      store,
      stale,
      filePath,
      language,
      keybinding,
      decorationClassName,
    });
    binding.current = bound;
    return () => {
      bound.dispose();
      if (binding.current === bound) binding.current = null;
    };
  }, [monaco, editor, store, stale, filePath, language, keybinding, decorationClassName]);
  return {
    attachSelection: useCallback(() => binding.current?.attachSelection() ?? null, []),
    attachFile: useCallback(() => binding.current?.attachFile() ?? null, []),
  };
}
