// #region client
// src/Editor.tsx of a Vite + React app; its entry calls mount(document.getElementById('editor')!)
import { AttachedContextPanel, CodeView, FragmentkitProvider, useFragmentChat } from '@fragmentkit/react';
import '@fragmentkit/react/styles.css';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';

const code = 'export default function App() {\n  return <h1>Hello</h1>;\n}\n';

export function Editor() {
  const chat = useFragmentChat();
  const [input, setInput] = useState('');
  return (
    <main>
      <CodeView code={code} filePath="src/App.tsx" />
      <AttachedContextPanel report={chat.meta?.prompt} />
      <textarea aria-label="Ask for a change" value={input} onChange={(event) => setInput(event.target.value)} />
      <button type="button" disabled={chat.status === 'streaming'} onClick={() => void chat.send(input)}>
        Send
      </button>
      <p>{chat.status}</p>
      <pre>{chat.fragment?.code}</pre>
    </main>
  );
}

export function mount(element: HTMLElement) {
  createRoot(element).render(
    <FragmentkitProvider endpoint="/api/fragmentkit">
      <Editor />
    </FragmentkitProvider>,
  );
}
// #endregion
