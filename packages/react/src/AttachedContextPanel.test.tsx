import type { Attachment, PromptReport } from '@fragmentkit/core';
import { createAttachmentStore, estimateTokens } from '@fragmentkit/core';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { expectAccessible } from '../test/expectAccessible.js';
import { AttachedContextPanel } from './AttachedContextPanel.js';
import { FragmentkitProvider } from './FragmentkitProvider.js';
import { createStaleAttachments } from './staleAttachments.js';

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

describe('AttachedContextPanel budget and stale snippets', () => {
  const budgetReport = (totalTokens: number): PromptReport => ({
    tokenizer: 'estimate',
    totalTokens,
    parts: [
      { name: 'system', tokens: 100 },
      { name: 'history', tokens: 300, truncated: true },
      { name: 'attachments', tokens: 400, truncated: true },
    ],
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
    history: { turns: 6, verbatimTurns: 2, summarizedTurns: 0, droppedTurns: 4, summary: 'none' },
    budget: { contextWindow: 2000, reservedOutputTokens: 900, safetyMarginTokens: 100, availableTokens: 1000 },
  });

  it.each([
    [500, 'ok'],
    [650, 'warning'],
    [849, 'warning'],
    [850, 'critical'],
  ])('shows %i of 1000 tokens as %s', (totalTokens, level) => {
    renderPanel([snippet('src/a.ts', 1, 80)], budgetReport(totalTokens));
    const meter = screen.getByRole('meter');
    expect(meter.getAttribute('value')).toBe(String(totalTokens));
    expect(document.querySelector('.fk-budget')?.getAttribute('data-level')).toBe(level);
    expect(meter.getAttribute('aria-label')).toContain(
      `${totalTokens} of 1000 tokens, ${Math.round(totalTokens / 10)}%`,
    );
  });

  it('lists exactly what the budget truncated or dropped', () => {
    renderPanel([snippet('src/a.ts', 1, 80), snippet('src/b.ts', 1, 2)], budgetReport(900));
    const cuts = within(screen.getByRole('list', { name: 'Cut to fit the context budget' })).getAllByRole('listitem');
    expect(cuts.map((cut) => cut.textContent)).toEqual([
      'src/a.ts lines 1–80: lines 41–80 left out',
      'src/b.ts lines 1–2: dropped',
      'Earlier turns: truncated',
      '4 earlier turns left out',
    ]);
  });

  it('offers a labelled Refresh for snippets an editor marked stale, operable from the keyboard', async () => {
    const store = createAttachmentStore([snippet('src/a.ts', 3, 5), snippet('src/b.ts', 1, 2)]);
    const stale = createStaleAttachments();
    const refreshed: string[] = [];
    const user = userEvent.setup();
    render(
      <FragmentkitProvider attachments={store} staleAttachments={stale}>
        <AttachedContextPanel />
      </FragmentkitProvider>,
    );
    expect(screen.queryByRole('button', { name: /Refresh/ })).toBeNull();
    act(() => stale.mark('src/a.ts#L3-L5', () => refreshed.push('a')));
    const [first] = screen.getAllByRole('listitem');
    expect(first?.getAttribute('data-stale')).toBe('true');
    expect(within(first!).getByText('stale: the file changed since it was attached')).toBeTruthy();

    await user.tab();
    expect(document.activeElement?.textContent).toBe('Clear all');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Refresh src/a.ts lines 3–5' }));
    await user.keyboard('{Enter}');
    expect(refreshed).toEqual(['a']);
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe('Refreshed src/a.ts');

    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove src/a.ts lines 3–5' }));
    await user.keyboard(' ');
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual(['src/b.ts#L1-L2']);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove src/b.ts lines 1–2' }));
  });

  it('does not announce an editor moving a snippet to other lines', () => {
    const { store, liveRegion } = renderPanel([snippet('src/a.ts', 3, 5)]);
    act(() => {
      store.remove('src/a.ts#L3-L5');
      store.add(snippet('src/a.ts', 4, 6));
    });
    expect(liveRegion.textContent).toBe('');
  });

  it('has no axe violations empty, filled, stale and over budget', async () => {
    const empty = renderPanel([]);
    await expectAccessible(document.body);
    cleanup();
    const stale = createStaleAttachments();
    stale.mark('src/a.ts#L1-L80', () => {});
    render(
      <FragmentkitProvider
        attachments={createAttachmentStore([snippet('src/a.ts', 1, 80), snippet('src/b.ts', 1, 2)])}
        staleAttachments={stale}
      >
        <main>
          <AttachedContextPanel report={budgetReport(900)} />
        </main>
      </FragmentkitProvider>,
    );
    expect(empty).toBeTruthy();
    await expectAccessible(document.body);
  });
});
