import { createAttachment, createAttachmentStore, createFileAttachment } from '@fragmentkit/core';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { expectAccessible } from '../test/expectAccessible.js';
import { AttachmentChips } from './AttachmentChips.js';
import { DiffView } from './DiffView.js';
import { FragmentkitProvider } from './FragmentkitProvider.js';

afterEach(cleanup);

describe('AttachmentChips', () => {
  it('shows a chip per attachment and removes one by its labelled button', async () => {
    const store = createAttachmentStore([
      createAttachment({ filePath: 'src/App.tsx', text: 'a\nb\nc', range: { startLine: 3, endLine: 5 } }),
      createFileAttachment({ filePath: 'src/theme.ts', text: 'export {};\n' }),
    ]);
    const user = userEvent.setup();
    render(
      <FragmentkitProvider attachments={store}>
        <main>
          <AttachmentChips />
        </main>
      </FragmentkitProvider>,
    );
    expect(screen.getAllByRole('listitem').map((chip) => chip.textContent)).toEqual([
      'App.tsx lines 3–5×',
      'theme.ts whole file×',
    ]);
    await expectAccessible(document.body);
    await user.click(screen.getByRole('button', { name: 'Remove src/App.tsx lines 3–5' }));
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual(['src/theme.ts#file']);
  });
});

describe('DiffView', () => {
  const files = [
    {
      path: 'src/a.ts',
      diff: '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,2 +1,2 @@\n keep\n-old\n+new\n',
      status: 'pending' as const,
    },
    { path: 'src/b.ts', diff: '@@ -1 +1 @@\n-x\n+y\n', status: 'accepted' as const },
  ];

  it('marks added and removed lines for sight and for screen readers, without file headers', () => {
    render(<DiffView files={files} />);
    const lines = [...document.querySelectorAll('article[aria-label="src/a.ts"] .fk-diff-line')];
    expect(lines.map((line) => [line.getAttribute('data-kind'), line.textContent])).toEqual([
      ['hunk', '@@ -1,2 +1,2 @@\n'],
      ['context', ' keep\n'],
      ['remove', 'removed: -old\n'],
      ['add', 'added: +new\n'],
    ]);
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('accepts one file or every pending one from the keyboard, and passes axe', async () => {
    const decisions: Array<[string, string[] | undefined]> = [];
    const user = userEvent.setup();
    render(
      <DiffView
        files={files}
        onAccept={(paths) => decisions.push(['accept', paths])}
        onReject={(paths) => decisions.push(['reject', paths])}
      />,
    );
    expect(screen.queryByRole('button', { name: 'Accept changes to src/b.ts' })).toBeNull();
    await user.tab();
    expect(document.activeElement?.textContent).toBe('Accept all');
    await user.keyboard('{Enter}');
    await user.tab();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Accept changes to src/a.ts' }));
    await user.keyboard('{Enter}');
    await user.click(screen.getByRole('button', { name: 'Reject changes to src/a.ts' }));
    expect(decisions).toEqual([
      ['accept', undefined],
      ['accept', ['src/a.ts']],
      ['reject', ['src/a.ts']],
    ]);
    await expectAccessible(document.body);
  });
});
