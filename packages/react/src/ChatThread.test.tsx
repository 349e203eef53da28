import type { Fragment } from '@fragmentkit/core';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { expectAccessible } from '../test/expectAccessible.js';
import { ChatThread } from './ChatThread.js';
import { formatUsd, UsageMeter } from './UsageMeter.js';
import type { ChatMessage } from './useFragmentChat.js';

afterEach(cleanup);

const fragment = { title: 'Counter', commentary: 'A counter with a reset button.' } as Fragment;

const done: ChatMessage = {
  id: 't1',
  input: 'Make a counter',
  attachments: [],
  status: 'done',
  fragment,
  answeredBy: { provider: 'openai', model: 'gpt-test' },
  usage: { inputTokens: 1200, outputTokens: 340 },
  cost: { inputUsd: 0.0012, outputUsd: 0.00068, cachedInputUsd: 0, cacheWriteUsd: 0, totalUsd: 0.00188 },
};

describe('ChatThread', () => {
  it('shows each turn with its answer, usage and cost, and Regenerate on the latest answer', async () => {
    let regenerated = 0;
    const user = userEvent.setup();
    render(
      <main>
        <ChatThread messages={[done, { ...done, id: 't2', input: 'Add reset' }]} onRegenerate={() => regenerated++} />
      </main>,
    );
    const log = screen.getByRole('log', { name: 'Conversation' });
    const [first, second] = within(log).getAllByRole('listitem');
    expect(first?.textContent).toContain('Make a counter');
    expect(first?.textContent).toContain('A counter with a reset button.');
    expect(first?.textContent).toContain('1,200 in · 340 out · $0.0019');
    expect(within(first!).queryByRole('button')).toBeNull();
    await user.click(within(second!).getByRole('button', { name: 'Regenerate' }));
    expect(regenerated).toBe(1);
    await expectAccessible(document.body);
  });

  it('shows the error of a failed latest turn with Retry, and the notice in a status region', async () => {
    let retried = 0;
    const user = userEvent.setup();
    const failed: ChatMessage = {
      id: 't1',
      input: 'Make a counter',
      attachments: [],
      status: 'error',
      error: { code: 'RATE_LIMITED', message: 'Too many requests; try again in 20 s.' },
    };
    render(
      <main>
        <ChatThread messages={[failed]} notice="Answering with fallback model" onRetry={() => retried++} />
      </main>,
    );
    expect(screen.getByRole('alert').textContent).toBe('Too many requests; try again in 20 s.');
    expect(screen.getByRole('status').textContent).toBe('Answering with fallback model');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retried).toBe(1);
    await expectAccessible(document.body);
  });
});

describe('UsageMeter', () => {
  it('renders nothing without usage', () => {
    const { container } = render(<UsageMeter usage={undefined} />);
    expect(container.innerHTML).toBe('');
  });

  it('formats dollars for people', () => {
    expect([formatUsd(0), formatUsd(1.5), formatUsd(0.00042), formatUsd(0.0123)]).toEqual([
      '$0',
      '$1.50',
      '$0.00042',
      '$0.01',
    ]);
  });
});
