'use client';

import type { Extension, Text } from '@codemirror/state';
import type { EditorView, KeyBinding, keymap, ViewPlugin } from '@codemirror/view';
import type { Attachment, AttachmentStore, LineRange } from '@fragmentkit/core';
import { useMemo } from 'react';
import { useFragmentkit } from '../FragmentkitProvider.js';
import type { StaleAttachments } from '../staleAttachments.js';
import { type AttachmentTracker, createAttachmentTracker, type TrackedDocument } from './attachmentTracker.js';

/**
 * The CodeMirror values the adapter uses, passed in so that this module imports only types and
 * the host's single copy of `@codemirror/view` is the one extensions are built with.
 *
 * @example
 * ```ts
 * import { EditorView, ViewPlugin, keymap } from '@codemirror/view';
 * const modules: CodeMirrorModules = { EditorView, ViewPlugin, keymap };
 * ```
 */
export interface CodeMirrorModules {
  EditorView: typeof EditorView;
  ViewPlugin: typeof ViewPlugin;
  keymap: typeof keymap;
}

/**
 * Options of {@link codeMirrorAttachments}.
 *
 * @example
 * ```ts
 * const options: CodeMirrorAttachmentsOptions = { modules: { EditorView, ViewPlugin, keymap }, store, filePath: 'main.py', shortcut: 'Mod-Alt-a' };
 * ```
 */
export interface CodeMirrorAttachmentsOptions {
  modules: CodeMirrorModules;
  /** Where attached snippets go, e.g. the `attachmentStore` of `useFragmentkit()`. */
  store: AttachmentStore;
  /** Path of the file in the editor, as the model should see it. */
  filePath: string;
  /** Fence language; guessed from `filePath` when omitted. */
  language?: string;
  /** Where edited attachments are marked stale, e.g. the `staleAttachments` of `useFragmentkit()`. */
  stale?: StaleAttachments;
  /** CodeMirror key name of the attach shortcut; `false` for none. Default `Mod-Shift-l`. */
  shortcut?: string | false;
}

/**
 * What {@link codeMirrorAttachments} returns.
 *
 * @example
 * ```ts
 * const attachments: CodeMirrorAttachments = codeMirrorAttachments(options);
 * const view = new EditorView({ extensions: [attachments.extension], parent });
 * attachments.attachFile(view);
 * ```
 */
export interface CodeMirrorAttachments {
  /** Add it to the editor's extensions. One binding serves one editor at a time. */
  extension: Extension;
  /**
   * Attaches the main selection of `view`, snapped to whole lines: an empty selection is its
   * line; a selection ending at the start of a line leaves that line out. @returns the attachment.
   */
  attachSelection(view: EditorView): Attachment | null;
  /** Attaches the whole document of `view` as a `file` attachment. */
  attachFile(view: EditorView): Attachment;
}

/** Anchors are the positions of the first line's start and the last line's end, mapped through every change. */
interface PositionAnchor {
  from: number;
  to: number;
  deleted: boolean;
}

function codeMirrorDocument(getDoc: () => Text, anchors: Set<PositionAnchor>): TrackedDocument<PositionAnchor> {
  return {
    text: () => getDoc().toString(),
    lineCount: () => getDoc().lines,
    lines(range) {
      const doc = getDoc();
      return doc.sliceString(doc.line(range.startLine).from, doc.line(range.endLine).to);
    },
    anchor(range) {
      const doc = getDoc();
      const anchor = { from: doc.line(range.startLine).from, to: doc.line(range.endLine).to, deleted: false };
      anchors.add(anchor);
      return anchor;
    },
    resolve(anchor) {
      if (anchor.deleted) return null;
      const doc = getDoc();
      return { startLine: doc.lineAt(anchor.from).number, endLine: doc.lineAt(anchor.to).number };
    },
    release: (anchor) => {
      anchors.delete(anchor);
    },
  };
}

/** The whole lines a selection covers, as editors count them. */
function selectedLines(doc: Text, from: number, to: number): LineRange {
  const start = doc.lineAt(from);
  let end = doc.lineAt(to);
  if (to > from && to === end.from && end.number > start.number) end = doc.line(end.number - 1);
  return { startLine: start.number, endLine: end.number };
}

/**
 * Connects a CodeMirror 6 editor to fragmentkit's attachments: a shortcut (Mod-Shift-l) attaches
 * the selection as whole lines, attached ranges follow edits (positions mapped through each
 * transaction's `ChangeSet.mapPos`), and a snippet whose lines were edited is marked stale in
 * `stale`, where `<AttachedContextPanel>` offers a one-click refresh.
 *
 * @example
 * ```ts
 * import { EditorState } from '@codemirror/state';
 * import { EditorView, ViewPlugin, keymap } from '@codemirror/view';
 * import { codeMirrorAttachments } from '@fragmentkit/react/codemirror';
 *
 * const attachments = codeMirrorAttachments({
 *   modules: { EditorView, ViewPlugin, keymap },
 *   store: attachmentStore,
 *   stale: staleAttachments,
 *   filePath: 'src/App.tsx',
 * });
 * const view = new EditorView({
 *   state: EditorState.create({ doc: source, extensions: [attachments.extension] }),
 *   parent: document.querySelector('#editor')!,
 * });
 * attachButton.onclick = () => attachments.attachSelection(view);
 * ```
 */
export function codeMirrorAttachments(options: CodeMirrorAttachmentsOptions): CodeMirrorAttachments {
  const { modules, shortcut = 'Mod-Shift-l' } = options;
  const anchors = new Set<PositionAnchor>();
  let current: { view: EditorView; tracker: AttachmentTracker } | undefined;

  function trackerFor(view: EditorView): AttachmentTracker {
    if (current?.view === view) return current.tracker;
    current?.tracker.destroy();
    const document = codeMirrorDocument(() => view.state.doc, anchors);
    const tracker = createAttachmentTracker(document, options);
    current = { view, tracker };
    tracker.sync();
    return tracker;
  }

  function attachSelection(view: EditorView): Attachment | null {
    const { from, to } = view.state.selection.main;
    return trackerFor(view).attachLines(selectedLines(view.state.doc, from, to));
  }

  const lifecycle = modules.ViewPlugin.define((view) => {
    trackerFor(view);
    return {
      destroy() {
        if (current?.view !== view) return;
        current.tracker.destroy();
        current = undefined;
      },
    };
  });

  const listener = modules.EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    for (const anchor of anchors) {
      // The range does not grow when typing right at its edges, as Monaco's sticky decorations.
      const from = update.changes.mapPos(anchor.from, 1);
      const to = update.changes.mapPos(anchor.to, -1);
      if (to < from) anchor.deleted = true;
      anchor.from = from;
      anchor.to = Math.max(from, to);
    }
    trackerFor(update.view).sync();
  });

  const bindings: KeyBinding[] =
    shortcut === false ? [] : [{ key: shortcut, preventDefault: true, run: (view) => attachSelection(view) !== null }];

  return {
    extension: [lifecycle, listener, modules.keymap.of(bindings)],
    attachSelection,
    attachFile: (view) => trackerFor(view).attachFile(),
  };
}

/**
 * Options of {@link useCodeMirrorAttachments}: those of {@link codeMirrorAttachments} the provider does not supply.
 *
 * @example
 * ```ts
 * const options: UseCodeMirrorAttachmentsOptions = { filePath: 'main.py' };
 * ```
 */
export type UseCodeMirrorAttachmentsOptions = Pick<CodeMirrorAttachmentsOptions, 'filePath' | 'language' | 'shortcut'>;

/**
 * {@link codeMirrorAttachments} for the nearest `FragmentkitProvider`: attaches into its store
 * and marks stale snippets where its `<AttachedContextPanel>` sees them. The binding (and its
 * `extension`) stays the same until the file, language or shortcut change.
 *
 * @example
 * ```tsx
 * import { EditorState } from '@codemirror/state';
 * import { EditorView, ViewPlugin, keymap } from '@codemirror/view';
 * import { useEffect, useRef } from 'react';
 * import { useCodeMirrorAttachments } from '@fragmentkit/react/codemirror';
 *
 * const modules = { EditorView, ViewPlugin, keymap };
 *
 * function Editor({ path, source }: { path: string; source: string }) {
 *   const element = useRef<HTMLDivElement>(null);
 *   const view = useRef<EditorView | null>(null);
 *   const attachments = useCodeMirrorAttachments(modules, { filePath: path });
 *   useEffect(() => {
 *     view.current = new EditorView({
 *       state: EditorState.create({ doc: source, extensions: [attachments.extension] }),
 *       parent: element.current!,
 *     });
 *     return () => view.current?.destroy();
 *   }, [source, attachments]);
 *   return (
 *     <>
 *       <div ref={element} />
 *       <button type="button" onClick={() => view.current && attachments.attachFile(view.current)}>Attach file</button>
 *     </>
 *   );
 * }
 * ```
 */
export function useCodeMirrorAttachments(
  modules: CodeMirrorModules,
  { filePath, language, shortcut }: UseCodeMirrorAttachmentsOptions,
): CodeMirrorAttachments {
  const { attachmentStore: store, staleAttachments: stale } = useFragmentkit();
  return useMemo(
    () => codeMirrorAttachments({ modules, store, stale, filePath, language, shortcut }),
    [modules, store, stale, filePath, language, shortcut],
  );
}
