// #region page
// app/editor/page.tsx
'use client';

import { AttachedContextPanel, CodeView, FragmentkitProvider, useFragmentChat } from '@fragmentkit/react';
import '@fragmentkit/react/styles.css';
import { useState } from 'react';

function Editor({ code }: { code: string }) {
  const chat = useFragmentChat();
  const [input, setInput] = useState('');
  const busy = chat.status === 'submitted' || chat.status === 'streaming';
  return (
    <>
      {/* select lines, right-click, "Attach" */}
      <CodeView code={code} filePath="src/App.tsx" />
      <AttachedContextPanel report={chat.meta?.prompt} />
      <textarea aria-label="Ask for a change" value={input} onChange={(event) => setInput(event.target.value)} />
      {busy ? (
        <button type="button" onClick={() => chat.stop()}>
          Stop
        </button>
      ) : (
        <button type="button" onClick={() => void chat.send(input)}>
          Send
        </button>
      )}
      {chat.error ? <p role="alert">{chat.error.message}</p> : null}
      <pre>{chat.fragment?.code}</pre>
    </>
  );
}

export default function Page() {
  return (
    <FragmentkitProvider endpoint="/api/fragmentkit">
      <Editor code={'export default function App() {\n  return <h1>Hi</h1>;\n}\n'} />
    </FragmentkitProvider>
  );
}
// #endregion
