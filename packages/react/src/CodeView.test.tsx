import { createAttachmentStore, estimateTokens } from '@fragmentkit/core';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachedContextPanel } from './AttachedContextPanel.js';
import { CodeView } from './CodeView.js';
import { FragmentkitProvider } from './FragmentkitProvider.js';

const code = [
  'import { useState } from "react";',
  '',
  'export function Counter() {',
  '  const [count, setCount] = useState(0);',
  '  return <button onClick={() => setCount(count + 1)}>{count}</button>;',
  '}',
  '',
].join('\n');

afterEach(() => {
  cleanup();
  window.getSelection()?.removeAllRanges();
});

function renderCodeView(props: Partial<Parameters<typeof CodeView>[0]> = {}) {
  const store = createAttachmentStore();
  const user = userEvent.setup();
  const view = render(
    <FragmentkitProvider attachments={store}>
      <CodeView code={code} filePath="src/Counter.tsx" {...props} />
      <AttachedContextPanel />
    </FragmentkitProvider>,
  );
  return { store, user, ...view };
}

function line(number: number): HTMLElement {
  const element = document.querySelector<HTMLElement>(`[data-line="${number}"]`);
  if (!element) throw new Error(`no line ${number}`);
  return element;
}

/** The text node of a line's code (not its line number). */
function codeText(number: number): Text {
  return line(number).querySelector('.fk-line-content')?.firstChild as Text;
}

function select(start: Node, startOffset: number, end: Node, endOffset: number) {
  const range = document.createRange();
  range.setStart(start, startOffset);
  range.setEnd(end, endOffset);
  const selection = window.getSelection()!;
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * Right-clicks like a browser does: inside a selection it keeps the selection. (user-event's
 * right mousedown would collapse it, so the event is fired directly.)
 */
function rightClick(node: Node, position = { clientX: 5, clientY: 5 }) {
  fireEvent.contextMenu(node, position);
}

function lines(from: number, to: number): string {
  return code
    .split('\n')
    .slice(from - 1, to)
    .join('\n');
}

describe('CodeView', () => {
  it('renders one element per line with hidden, unselectable line numbers', () => {
    renderCodeView();
    expect(document.querySelectorAll('[data-line]')).toHaveLength(6);
    const number = line(3).querySelector('.fk-line-number') as HTMLElement;
    expect(number.textContent).toBe('3');
    expect(number.getAttribute('aria-hidden')).toBe('true');
    expect(number.style.userSelect).toBe('none');
    expect(codeText(3).data).toBe('export function Counter() {\n');
  });

  it('attaches the selected lines from the context menu and lists them in the panel', async () => {
    const { store, user } = renderCodeView();
    select(codeText(3), 7, codeText(5), 4);

    rightClick(codeText(4), { clientX: 40, clientY: 60 });
    const item = screen.getByRole('menuitem', { name: 'Attach lines 3–5' });
    expect(screen.getByRole('menu')).toBeTruthy();
    expect(document.activeElement).toBe(item);

    await user.click(item);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(store.getSnapshot()).toEqual([
      expect.objectContaining({
        id: 'src/Counter.tsx#L3-L5',
        filePath: 'src/Counter.tsx',
        range: { startLine: 3, endLine: 5 },
        text: lines(3, 5),
      }),
    ]);

    const panel = screen.getByRole('region', { name: 'Attached context' });
    const item3to5 = within(panel).getByRole('listitem');
    expect(item3to5.textContent).toContain('src/Counter.tsx');
    expect(item3to5.textContent).toContain('lines 3–5');
    expect(item3to5.textContent).toContain(`~${estimateTokens(lines(3, 5))} tokens`);
  });

  it('snaps a selection to whole lines and leaves out a line it only touches at column 0', async () => {
    const { store, user } = renderCodeView();
    // From the middle of line 1 to the very start of line 4, as a mouse drag often ends.
    select(codeText(1), 10, codeText(4), 0);
    rightClick(codeText(2));
    await user.click(screen.getByRole('menuitem', { name: 'Attach lines 1–3' }));
    expect(store.getSnapshot()[0]).toMatchObject({ range: { startLine: 1, endLine: 3 }, text: lines(1, 3) });
  });

  it('drops blank lines at the end of a selection', async () => {
    const { store, user } = renderCodeView();
    select(codeText(1), 0, codeText(2), 1);
    rightClick(codeText(1));
    await user.click(screen.getByRole('menuitem', { name: 'Attach line 1' }));
    expect(store.getSnapshot()[0]).toMatchObject({ range: { startLine: 1, endLine: 1 }, text: lines(1, 1) });
  });

  it('attaches the line under the pointer when nothing is selected', async () => {
    const { store, user } = renderCodeView();
    rightClick(codeText(4));
    await user.click(screen.getByRole('menuitem', { name: 'Attach line 4' }));
    expect(store.getSnapshot()[0]).toMatchObject({ range: { startLine: 4, endLine: 4 }, text: lines(4, 4) });
  });

  it('attaches the caret line for a collapsed selection', async () => {
    const { store, user } = renderCodeView();
    select(codeText(5), 3, codeText(5), 3);
    rightClick(codeText(5));
    await user.click(screen.getByRole('menuitem', { name: 'Attach line 5' }));
    expect(store.getSnapshot()[0]?.range).toEqual({ startLine: 5, endLine: 5 });
  });

  it('ignores line numbers inside the selection', async () => {
    const { store, user } = renderCodeView();
    // Starting on the line number of line 2 (an empty line) and ending inside line 3.
    select(line(2).querySelector('.fk-line-number')!.firstChild!, 0, codeText(3), 3);
    rightClick(codeText(3));
    await user.click(screen.getByRole('menuitem', { name: 'Attach lines 2–3' }));
    expect(store.getSnapshot()[0]?.text).toBe(lines(2, 3));
  });

  it('attaches the same lines only once', async () => {
    const { store, user } = renderCodeView();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      select(codeText(3), 0, codeText(4), 5);
      rightClick(codeText(3));
      await user.click(screen.getByRole('menuitem', { name: 'Attach lines 3–4' }));
    }
    expect(store.getSnapshot()).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: /^Remove / })).toHaveLength(1);
  });

  it('closes the menu with Escape or a click outside, attaching nothing, and returns focus', async () => {
    const { store, user } = renderCodeView();
    const pre = screen.getByRole('group', { name: 'src/Counter.tsx' });
    pre.focus();
    rightClick(codeText(3));
    expect(screen.getByRole('menu')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(pre);

    rightClick(codeText(3));
    await user.click(document.body);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(store.getSnapshot()).toEqual([]);
  });

  it('is operable from the keyboard: the item activates with Enter', async () => {
    const { store, user } = renderCodeView();
    select(codeText(1), 0, codeText(1), 5);
    // A menu opened with the keyboard (Shift+F10) has no pointer position.
    rightClick(screen.getByRole('group', { name: 'src/Counter.tsx' }), { clientX: 0, clientY: 0 });
    await user.keyboard('{ArrowDown}{Enter}');
    expect(store.getSnapshot()[0]?.range).toEqual({ startLine: 1, endLine: 1 });
  });

  it('attaches the selection with the shortcut, and not when it is turned off', async () => {
    const { store, user, unmount } = renderCodeView();
    select(codeText(4), 2, codeText(6), 1);
    await user.keyboard('{Control>}{Shift>}L{/Shift}{/Control}');
    expect(store.getSnapshot()[0]?.range).toEqual({ startLine: 4, endLine: 6 });
    unmount();

    const off = renderCodeView({ attachShortcut: false });
    select(codeText(4), 2, codeText(6), 1);
    await off.user.keyboard('{Control>}{Shift>}L{/Shift}{/Control}');
    expect(off.store.getSnapshot()).toEqual([]);
  });

  it('uses a custom shortcut only while the selection is inside the code view', async () => {
    const { store, user } = renderCodeView({ attachShortcut: 'Alt+A' });
    const outside = document.createElement('p');
    outside.textContent = 'elsewhere';
    document.body.append(outside);
    select(outside.firstChild!, 0, outside.firstChild!, 4);
    await user.keyboard('{Alt>}a{/Alt}');
    expect(store.getSnapshot()).toEqual([]);

    select(codeText(1), 0, codeText(1), 4);
    await user.keyboard('{Alt>}a{/Alt}');
    expect(store.getSnapshot()[0]?.range).toEqual({ startLine: 1, endLine: 1 });
    outside.remove();
  });

  it('announces attachments in the live region', async () => {
    const { user } = renderCodeView();
    select(codeText(3), 0, codeText(4), 2);
    await act(async () => {
      rightClick(codeText(3));
    });
    await user.click(screen.getByRole('menuitem', { name: 'Attach lines 3–4' }));
    const liveRegion = document.querySelector('[aria-live="polite"]');
    await waitFor(() => expect(liveRegion?.textContent).toBe('Attached src/Counter.tsx lines 3–4'));
  });
});
