import { describe, expect, it } from 'vitest';
import { turnsFromMessages } from './conversationTurn.js';

const fragment = {
  title: 'Counter',
  file_path: 'App.tsx',
  code: 'export default () => null;',
  commentary: 'A counter.',
};

describe('turnsFromMessages', () => {
  it('pairs requests with answers, reading fragments sent as JSON', () => {
    expect(
      turnsFromMessages([
        { role: 'user', content: 'Make a counter' },
        { role: 'assistant', content: JSON.stringify(fragment) },
        { role: 'user', content: 'Why?' },
        { role: 'assistant', content: 'Because you asked.' },
      ]),
    ).toEqual([
      { input: 'Make a counter', fragment },
      { input: 'Why?', commentary: 'Because you asked.' },
    ]);
  });

  it('keeps answers that only look like JSON, requests without answers, and answers without requests', () => {
    expect(
      turnsFromMessages([
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'First' },
        { role: 'user', content: 'Second' },
        { role: 'assistant', content: '{"title":"no code"}' },
        { role: 'assistant', content: '{not json' },
      ]),
    ).toEqual([
      { input: '', commentary: 'Hello!' },
      { input: 'First' },
      { input: 'Second', commentary: '{"title":"no code"}' },
      { input: '', commentary: '{not json' },
    ]);
  });
});
