import { EditorSelection, EditorState } from '@codemirror/state';
import { EditorView, keymap, ViewPlugin } from '@codemirror/view';
import { createAttachmentStore, createFileAttachment } from '@fragmentkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createStaleAttachments } from '../staleAttachments.js';
import { codeMirrorAttachments } from './codemirror.js';

const source = ['import a from "a";', '', 'function one() {', '  return 1;', '}', '', ''].join('\n');
const views: EditorView[] = [];
afterEach(() => {
  for (const view of views.splice(0)) view.destroy();
  document.body.innerHTML = '';
});

function setup(doc = source) {
  const store = createAttachmentStore();
  const stale = createStaleAttachments();
  const binding = codeMirrorAttachments({
    modules: { EditorView, ViewPlugin, keymap },
    store,
    stale,
    filePath: 'src/one.ts',
  });
  const parent = document.createElement('div');
  document.body.append(parent);
  const view = new EditorView({ state: EditorState.create({ doc, extensions: [binding.extension] }), parent });
  views.push(view);
  const select = (anchor: number, head = anchor) => view.dispatch({ selection: EditorSelection.single(anchor, head) });
  const lineStart = (line: number) => view.state.doc.line(line).from;
  return { store, stale, binding, view, select, lineStart };
}

describe('codeMirrorAttachments', () => {
  it('attaches the current line for an empty selection and whole lines for a partial one', () => {
    const { store, binding, view, select, lineStart } = setup();
    select(lineStart(4) + 3);
    expect(binding.attachSelection(view)).toMatchObject({ range: { startLine: 4, endLine: 4 }, text: '  return 1;' });
    // From the middle of line 3 to the start of line 5: line 5 is only touched, so it is left out.
    select(lineStart(3) + 4, lineStart(5));
    expect(binding.attachSelection(view)).toMatchObject({
      id: 'src/one.ts#L3-L4',
      text: 'function one() {\n  return 1;',
      language: 'typescript',
    });
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual(['src/one.ts#L4-L4', 'src/one.ts#L3-L4']);
  });

  it('drops blank lines at the end of a selection', () => {
    const { binding, view, select, lineStart } = setup();
    select(lineStart(3), lineStart(7));
    expect(binding.attachSelection(view)?.range).toEqual({ startLine: 3, endLine: 5 });
  });

  it('attaches on the Mod-Shift-l shortcut', () => {
    const { store, view, select, lineStart } = setup();
    select(lineStart(1));
    view.contentDOM.dispatchEvent(
      new KeyboardEvent('keydown', {
        key: 'L',
        code: 'KeyL',
        keyCode: 76,
        ctrlKey: true,
        shiftKey: true,
        bubbles: true,
      }),
    );
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual(['src/one.ts#L1-L1']);
  });

  it('moves an attached range when lines are added above it, keeping its text', () => {
    const { store, stale, binding, view, select, lineStart } = setup();
    select(lineStart(3), lineStart(5) + 1);
    binding.attachSelection(view);
    view.dispatch({ changes: { from: 0, insert: '// header\n// more\n' } });
    expect(store.getSnapshot()).toEqual([
      expect.objectContaining({ id: 'src/one.ts#L5-L7', text: 'function one() {\n  return 1;\n}' }),
    ]);
    expect(stale.getSnapshot().size).toBe(0);
    view.dispatch({ changes: { from: 0, to: lineStart(2) } });
    expect(store.getSnapshot()[0]?.range).toEqual({ startLine: 4, endLine: 6 });
  });

  it('marks an attachment stale when its lines are edited and refreshes it in one call', () => {
    const { store, stale, binding, view, select, lineStart } = setup();
    select(lineStart(3), lineStart(5) + 1);
    const attached = binding.attachSelection(view)!;
    view.dispatch({ changes: { from: lineStart(4), insert: '  const two = 2;\n' } });
    expect(store.getSnapshot()).toEqual([attached]);
    const refresh = stale.getSnapshot().get(attached.id);
    expect(refresh).toBeTypeOf('function');

    // Typing more keeps the same refresh action: no churn for subscribers.
    view.dispatch({ changes: { from: lineStart(4), insert: ' ' } });
    expect(stale.getSnapshot().get(attached.id)).toBe(refresh);

    refresh!();
    expect(store.getSnapshot()).toEqual([
      expect.objectContaining({
        id: 'src/one.ts#L3-L6',
        text: 'function one() {\n   const two = 2;\n  return 1;\n}',
      }),
    ]);
    expect(stale.getSnapshot().size).toBe(0);
  });

  it('ignores attachments of other files and un-marks what the user removed', () => {
    const { store, stale, binding, view, select, lineStart } = setup();
    store.add(createFileAttachment({ filePath: 'src/other.ts', text: 'x' }));
    select(lineStart(4));
    const attached = binding.attachSelection(view)!;
    view.dispatch({ changes: { from: lineStart(4), insert: '//' } });
    expect([...stale.getSnapshot().keys()]).toEqual([attached.id]);
    store.remove(attached.id);
    expect(stale.getSnapshot().size).toBe(0);
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual(['src/other.ts#file']);
  });

  it('attaches the whole file and marks it stale after any edit', () => {
    const { store, stale, binding, view } = setup();
    const file = binding.attachFile(view);
    expect(file).toMatchObject({ kind: 'file', range: { startLine: 1, endLine: 6 } });
    view.dispatch({ changes: { from: 0, insert: '"use strict";\n' } });
    stale.getSnapshot().get(file.id)!();
    expect(store.getSnapshot()[0]).toMatchObject({ kind: 'file', range: { startLine: 1, endLine: 7 } });
    expect(store.getSnapshot()[0]?.text.startsWith('"use strict";')).toBe(true);
  });

  it('stops tracking when the view is destroyed', () => {
    const { stale, binding, view, select, lineStart } = setup();
    select(lineStart(4));
    binding.attachSelection(view);
    view.dispatch({ changes: { from: lineStart(4), insert: '//' } });
    expect(stale.getSnapshot().size).toBe(1);
    view.destroy();
    expect(stale.getSnapshot().size).toBe(0);
  });
});
