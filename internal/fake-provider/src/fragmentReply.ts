import type { FakeTextReply } from './fakeReply.js';
import { lastUserMessage, type RecordedRequest } from './recordedRequest.js';

/**
 * The fake's default answer: one bare JSON fragment (the shape the fragmentkit system prompt
 * asks for) holding a small React counter. Its title, commentary and rendered text quote the
 * last paragraph of the user's last message (where a prompt builder puts the typed request,
 * after any attached context), so a UI driven by the fake shows which prompt it answered. The reply
 * is deterministic: the same request always gets the same text.
 *
 * @example
 * ```ts
 * import { defaultFragmentReply, startFakeProvider } from '@fragmentkit/fake-provider';
 *
 * const fake = await startFakeProvider({
 *   respond: (request) => (request.model === 'broken' ? { text: '{"oops' } : defaultFragmentReply(request)),
 * });
 * ```
 */
export function defaultFragmentReply(request: RecordedRequest): FakeTextReply {
  const prompt = shorten(lastParagraph(lastUserMessage(request)).replace(/\s+/g, ' ').trim(), 60) || 'a counter';
  const fragment = {
    commentary: `You asked: "${prompt}". Here is a small React counter component with increment, decrement and reset buttons.`,
    template: 'react-preview',
    title: shorten(`Counter: ${prompt}`, 40),
    description: 'A React counter with increment, decrement and reset buttons.',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    file_path: 'App.tsx',
    code: counterComponent(prompt),
  };
  return { text: JSON.stringify(fragment, null, 2) };
}

function counterComponent(prompt: string): string {
  return [
    "import { useState } from 'react';",
    '',
    'export default function App() {',
    '  const [count, setCount] = useState(0);',
    '  return (',
    "    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>",
    '      <h1>Counter</h1>',
    `      <p>{${JSON.stringify(prompt)}}</p>`,
    '      <p aria-live="polite">Count: {count}</p>',
    '      <button type="button" onClick={() => setCount((value) => value - 1)}>-1</button>',
    '      <button type="button" onClick={() => setCount((value) => value + 1)}>+1</button>',
    '      <button type="button" onClick={() => setCount(0)}>Reset</button>',
    '    </main>',
    '  );',
    '}',
    '',
  ].join('\n');
}

function shorten(text: string, length: number): string {
  const characters = Array.from(text);
  return characters.length <= length ? text : `${characters.slice(0, length - 1).join('')}…`;
}

/** The text after the last blank line: attached context comes first, the typed request last. */
function lastParagraph(text: string): string {
  const paragraphs = text.split(/\n\s*\n/).filter((paragraph) => paragraph.trim() !== '');
  return paragraphs.at(-1) ?? '';
}
