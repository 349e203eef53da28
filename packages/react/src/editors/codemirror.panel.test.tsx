import { EditorSelection, EditorState } from '@codemirror/state';
import { EditorView, keymap, ViewPlugin } from '@codemirror/view';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useEffect, useRef } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/expectAccessible.js';
import { AttachedContextPanel } from '../AttachedContextPanel.js';
import { FragmentkitProvider, useFragmentkit } from '../FragmentkitProvider.js';
import { useCodeMirrorAttachments } from './codemirror.js';

afterEach(cleanup);

const modules = { EditorView, ViewPlugin, keymap };
let view: EditorView | null = null;

function Editor({ source }: { source: string }) {
  const element = useRef<HTMLDivElement>(null);
  const attachments = useCodeMirrorAttachments(modules, { filePath: 'src/one.ts' });
  useEffect(() => {
    const created = new EditorView({
      state: EditorState.create({
        doc: source,
        // The host names its editor; axe checks the whole page.
        extensions: [attachments.extension, EditorView.contentAttributes.of({ 'aria-label': 'src/one.ts' })],
      }),
      parent: element.current!,
    });
    view = created;
    return () => created.destroy();
  }, [source, attachments]);
  return (
    <>
      <div ref={element} />
      <button type="button" onClick={() => view && attachments.attachSelection(view)}>
        Attach selection
      </button>
      <button type="button" onClick={() => view && attachments.attachFile(view)}>
        Attach file
      </button>
    </>
  );
}

function Ids() {
  const { attachmentStore } = useFragmentkit();
  return <output>{attachmentStore.getSnapshot().length}</output>;
}

describe('CodeMirror with the attached context panel', () => {
  it('attaches from the editor, shows a snippet edited underneath as stale and refreshes it from the keyboard', async () => {
    const user = userEvent.setup();
    render(
      <FragmentkitProvider>
        <main>
          <Editor source={'const a = 1;\nconst b = 2;\nconst c = 3;\n'} />
          <AttachedContextPanel />
          <Ids />
        </main>
      </FragmentkitProvider>,
    );
    view!.dispatch({ selection: EditorSelection.single(view!.state.doc.line(2).from + 2) });
    await user.click(screen.getByRole('button', { name: 'Attach selection' }));
    expect(screen.getByRole('button', { name: 'Remove src/one.ts line 2' })).toBeTruthy();

    view!.dispatch({ changes: { from: view!.state.doc.line(2).to - 2, insert: '0' } });
    const refresh = await screen.findByRole('button', { name: 'Refresh src/one.ts line 2' });
    expect(screen.getByText('stale: the file changed since it was attached')).toBeTruthy();
    await expectAccessible(document.body);

    refresh.focus();
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('button', { name: /Refresh/ })).toBeNull();
    expect(screen.getByRole('listitem').textContent).toContain('line 2');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove src/one.ts line 2' }));
    // CodeMirror has a live region of its own; the panel's is inside the panel.
    const panel = screen.getByRole('region', { name: 'Attached context' });
    expect(panel.querySelector('[aria-live="polite"]')?.textContent).toBe('Refreshed src/one.ts');

    await user.click(screen.getByRole('button', { name: 'Attach file' }));
    expect(screen.getByRole('button', { name: 'Remove src/one.ts lines 1–3' })).toBeTruthy();
  });
});
