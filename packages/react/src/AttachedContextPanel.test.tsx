import type { Attachment, PromptReport } from '@fragmentkit/core';
import { createAttachmentStore, estimateTokens } from '@fragmentkit/core';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachedContextPanel } from './AttachedContextPanel.js';
import { FragmentkitProvider } from './FragmentkitProvider.js';

afterEach(cleanup);

function snippet(filePath: string, startLine: number, endLine: number, text = 'const answer = 42;'): Attachment {
  return {
    id: `${filePath}#L${startLine}-L${endLine}`,
    kind: 'snippet',
    filePath,
    language: 'ts',
    text,
    range: { startLine, endLine },
    contentHash: `${filePath}-${startLine}-${endLine}`,
  };
}

function renderPanel(attachments: Attachment[], report?: PromptReport) {
  const store = createAttachmentStore(attachments);
  const user = userEvent.setup();
  render(
    <FragmentkitProvider attachments={store}>
      <AttachedContextPanel report={report} />
    </FragmentkitProvider>,
  );
  return { store, user, liveRegion: document.querySelector('[aria-live="polite"]')! };
}

describe('AttachedContextPanel', () => {
  it('shows an empty state', () => {
    renderPanel([]);
    expect(screen.getByText(/No code attached/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Clear all' })).toBeNull();
  });

  it('lists path, lines, language and token estimate of each snippet', () => {
    const text = 'export const a = 1;\nexport const b = 2;\n';
    renderPanel([snippet('src/a.ts', 3, 5, text), snippet('src/b.ts', 7, 7)]);
    const [first, second] = screen.getAllByRole('listitem');
    expect(first?.textContent).toContain('src/a.ts');
    expect(first?.textContent).toContain('lines 3–5');
    expect(first?.textContent).toContain('ts');
    expect(first?.textContent).toContain(`~${estimateTokens(text)} tokens`);
    expect(second?.textContent).toContain('line 7');
  });

  it('removes a snippet by its accessible name, announces it and keeps focus in the panel', async () => {
    const { store, user, liveRegion } = renderPanel([snippet('src/a.ts', 3, 5), snippet('src/b.ts', 1, 2)]);
    await user.click(screen.getByRole('button', { name: 'Remove src/a.ts lines 3–5' }));
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual(['src/b.ts#L1-L2']);
    expect(liveRegion.textContent).toBe('Removed src/a.ts lines 3–5');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove src/b.ts lines 1–2' }));
  });

  it('clears everything', async () => {
    const { store, user, liveRegion } = renderPanel([snippet('src/a.ts', 3, 5), snippet('src/b.ts', 1, 2)]);
    await user.click(screen.getByRole('button', { name: 'Clear all' }));
    expect(store.getSnapshot()).toEqual([]);
    expect(screen.queryAllByRole('listitem')).toHaveLength(0);
    expect(liveRegion.textContent).toBe('Removed all 2 snippets');
    expect(document.activeElement).toBe(screen.getByRole('region', { name: 'Attached context' }));
  });

  it('announces snippets attached from anywhere', () => {
    const { store, liveRegion } = renderPanel([]);
    act(() => {
      store.add(snippet('src/c.ts', 10, 12));
    });
    expect(liveRegion.textContent).toBe('Attached src/c.ts lines 10–12');
  });

  it('marks snippets the prompt report truncated or dropped', () => {
    const report: PromptReport = {
      tokenizer: 'estimate',
      totalTokens: 900,
      parts: [],
      attachments: [
        {
          id: 'src/a.ts#L1-L80',
          filePath: 'src/a.ts',
          range: { startLine: 1, endLine: 80 },
          tokens: 400,
          omitted: { startLine: 41, endLine: 80 },
          truncated: true,
          dropped: false,
        },
        {
          id: 'src/b.ts#L1-L2',
          filePath: 'src/b.ts',
          range: { startLine: 1, endLine: 2 },
          tokens: 0,
          truncated: false,
          dropped: true,
        },
      ],
    };
    renderPanel([snippet('src/a.ts', 1, 80), snippet('src/b.ts', 1, 2), snippet('src/c.ts', 1, 1)], report);
    const [truncated, dropped, untouched] = screen.getAllByRole('listitem');
    expect(within(truncated!).getByText('truncated: lines 41–80 left out')).toBeTruthy();
    expect(within(dropped!).getByText(/dropped/)).toBeTruthy();
    expect(untouched?.textContent).not.toMatch(/truncated|dropped/);
  });

  it('marks snippets the prompt report found stale', () => {
    const report: PromptReport = {
      tokenizer: 'estimate',
      totalTokens: 100,
      parts: [],
      attachments: [
        {
          id: 'src/a.ts#L1-L2',
          filePath: 'src/a.ts',
          range: { startLine: 1, endLine: 2 },
          tokens: 20,
          truncated: false,
          dropped: false,
          stale: true,
        },
      ],
    };
    renderPanel([snippet('src/a.ts', 1, 2), snippet('src/b.ts', 1, 2)], report);
    const [stale, fresh] = screen.getAllByRole('listitem');
    expect(within(stale!).getByText('stale: the file changed since it was attached')).toBeTruthy();
    expect(stale?.getAttribute('data-stale')).toBe('true');
    expect(fresh?.textContent).not.toMatch(/stale/);
  });
});
