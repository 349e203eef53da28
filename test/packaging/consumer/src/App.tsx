import { AttachedContextPanel, CodeView, useFragmentChat } from '@fragmentkit/react';
import { type FormEvent, useState } from 'react';

export const counterSource = [
  "import { useState } from 'react';",
  '',
  'export function Counter() {',
  '  const [count, setCount] = useState(0);',
  '  return <button onClick={() => setCount(count + 1)}>{count}</button>;',
  '}',
  '',
].join('\n');

export function App() {
  const chat = useFragmentChat();
  const [input, setInput] = useState('');

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void chat.send(input);
  }

  return (
    <main>
      <CodeView code={counterSource} filePath="src/Counter.tsx" />
      <AttachedContextPanel report={chat.meta?.prompt} />
      <form onSubmit={onSubmit}>
        <label htmlFor="prompt">Ask for a fragment</label>
        <textarea id="prompt" value={input} onChange={(event) => setInput(event.target.value)} />
        <button type="submit">Send</button>
      </form>
      <output data-testid="chat-status">{chat.status}</output>
      <pre data-testid="fragment-code">{chat.fragment?.code}</pre>
    </main>
  );
}
