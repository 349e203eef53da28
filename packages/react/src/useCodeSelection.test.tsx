import { createAttachmentStore } from '@fragmentkit/core';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useRef } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FragmentkitProvider } from './FragmentkitProvider.js';
import { useCodeSelection } from './useCodeSelection.js';

afterEach(() => {
  cleanup();
  window.getSelection()?.removeAllRanges();
});

const source = 'def add(a, b):\n    return a + b\n\nprint(add(1, 2))';

/** A highlighter-style `<pre>`: one `data-line` span per line, tokens in nested spans. */
function HighlightedFile() {
  const ref = useRef<HTMLPreElement>(null);
  const { selection, attachSelection } = useCodeSelection(ref, { filePath: 'math.py', code: source });
  return (
    <div>
      <p data-testid="before">Intro text</p>
      <pre ref={ref}>
        {source.split('\n').map((line, index) => (
          <span key={line} data-line={index + 1}>
            <span className="token">{line.slice(0, 3)}</span>
            {`${line.slice(3)}\n`}
          </span>
        ))}
      </pre>
      <output data-testid="selection">
        {selection ? `${selection.range.startLine}-${selection.range.endLine}` : 'none'}
      </output>
      {/* Preventing mousedown keeps the text selection, as toolbar buttons in editors do. */}
      <button type="button" onMouseDown={(event) => event.preventDefault()} onClick={() => attachSelection()}>
        Attach
      </button>
    </div>
  );
}

function select(start: Node, startOffset: number, end: Node, endOffset: number) {
  const range = document.createRange();
  range.setStart(start, startOffset);
  range.setEnd(end, endOffset);
  window.getSelection()!.removeAllRanges();
  window.getSelection()!.addRange(range);
}

function lineElement(number: number): HTMLElement {
  return document.querySelector(`[data-line="${number}"]`) as HTMLElement;
}

function renderFile() {
  const store = createAttachmentStore();
  render(
    <FragmentkitProvider attachments={store}>
      <HighlightedFile />
    </FragmentkitProvider>,
  );
  return store;
}

describe('useCodeSelection on any <pre> with data-line elements', () => {
  it('tracks the selected lines as the selection changes', async () => {
    renderFile();
    expect(screen.getByTestId('selection').textContent).toBe('none');
    act(() => select(lineElement(1).querySelector('.token')!.firstChild!, 1, lineElement(2).lastChild!, 3));
    await waitFor(() => expect(screen.getByTestId('selection').textContent).toBe('1-2'));
    act(() => window.getSelection()!.removeAllRanges());
    await waitFor(() => expect(screen.getByTestId('selection').textContent).toBe('none'));
  });

  it('attaches whole lines cut from the source, not from the DOM', async () => {
    const store = renderFile();
    select(lineElement(2).lastChild!, 2, lineElement(4).querySelector('.token')!.firstChild!, 1);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Attach' }));
    expect(store.getSnapshot()[0]).toMatchObject({
      id: 'math.py#L2-L4',
      range: { startLine: 2, endLine: 4 },
      text: '    return a + b\n\nprint(add(1, 2))',
    });
  });

  it('clamps a selection that starts before the container to its first line', () => {
    const store = renderFile();
    select(screen.getByTestId('before').firstChild!, 2, lineElement(2).lastChild!, 4);
    screen.getByRole('button', { name: 'Attach' }).click();
    expect(store.getSnapshot()[0]?.range).toEqual({ startLine: 1, endLine: 2 });
  });

  it('attaches nothing when the selection is elsewhere', () => {
    const store = renderFile();
    select(screen.getByTestId('before').firstChild!, 0, screen.getByTestId('before').firstChild!, 5);
    screen.getByRole('button', { name: 'Attach' }).click();
    expect(store.getSnapshot()).toEqual([]);
  });
});
