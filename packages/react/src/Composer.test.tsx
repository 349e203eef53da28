import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { expectAccessible } from '../test/expectAccessible.js';
import { Composer } from './Composer.js';

afterEach(cleanup);

describe('Composer', () => {
  it('sends the trimmed text on Enter, adds a line on Shift+Enter and clears the field', async () => {
    const sent: string[] = [];
    const user = userEvent.setup();
    render(<Composer onSend={(input) => sent.push(input)} />);
    const field = screen.getByRole('textbox', { name: 'Message' });
    await user.type(field, '  Add a button{Shift>}{Enter}{/Shift}with a label{Enter}');
    expect(sent).toEqual(['Add a button\nwith a label']);
    expect((field as HTMLTextAreaElement).value).toBe('');
  });

  it('does not send empty text', async () => {
    const sent: string[] = [];
    const user = userEvent.setup();
    render(<Composer onSend={(input) => sent.push(input)} />);
    await user.type(screen.getByRole('textbox'), '   {Enter}');
    expect(sent).toEqual([]);
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('offers Stop instead of Send while busy, and is accessible', async () => {
    let stops = 0;
    const sent: string[] = [];
    const user = userEvent.setup();
    render(
      <main>
        <Composer onSend={(input) => sent.push(input)} onStop={() => stops++} busy />
      </main>,
    );
    await user.type(screen.getByRole('textbox'), 'More{Enter}');
    expect(sent).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(stops).toBe(1);
    await expectAccessible(document.body);
  });
});
