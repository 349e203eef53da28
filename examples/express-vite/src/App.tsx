import { AttachedContextPanel, CodeView, useFragmentChat } from '@fragmentkit/react';
import { type FormEvent, useState } from 'react';
import { FragmentResult } from './FragmentResult.js';
import { IncidentsDemo } from './incidents/IncidentsDemo.js';
import { SetupNotice } from './SetupNotice.js';
import { sampleProject } from './sampleProject.js';
import { useAppConfig } from './useAppConfig.js';
import { useHealth } from './useHealth.js';

const endpoint = '/api/fragmentkit';

export function App() {
  const { health } = useHealth(endpoint);
  const appConfig = useAppConfig();
  const chat = useFragmentChat({ endpoint });
  const [activePath, setActivePath] = useState(sampleProject[0]!.path);
  const [input, setInput] = useState('');
  const file = sampleProject.find((candidate) => candidate.path === activePath) ?? sampleProject[0]!;
  const busy = chat.status === 'submitted' || chat.status === 'streaming';
  const noModel = health !== null && health.models.length === 0;
  const defaultModel = health?.models.find((model) => model.id === health.defaultModel);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!input.trim() || busy) return;
    void chat.send(input);
  }

  return (
    <div className="app">
      <header className="topbar">
        <strong>fragmentkit</strong> reference app
        <span className="model">
          {defaultModel
            ? `model: ${defaultModel.model} (${defaultModel.provider})`
            : health
              ? 'no model configured'
              : ''}
        </span>
      </header>
      {noModel ? <SetupNotice /> : null}
      <main className="columns">
        <div className="left">
          <nav className="tabs" aria-label="Project files">
            {sampleProject.map((candidate) => (
              <button
                key={candidate.path}
                type="button"
                aria-pressed={candidate.path === activePath}
                onClick={() => setActivePath(candidate.path)}
              >
                {candidate.path}
              </button>
            ))}
          </nav>
          <p className="hint">Select lines, right-click, and choose “Attach”.</p>
          <CodeView code={file.code} filePath={file.path} />
          <AttachedContextPanel report={chat.meta?.prompt} />
          <form className="composer" onSubmit={onSubmit}>
            <label htmlFor="prompt">Ask for a fragment</label>
            <textarea
              id="prompt"
              value={input}
              placeholder="e.g. Add a “clear completed” button"
              onChange={(event) => setInput(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) onSubmit(event);
              }}
            />
            <div className="composer-actions">
              {busy ? (
                <button type="button" onClick={() => chat.stop()}>
                  Stop
                </button>
              ) : (
                <button type="submit" disabled={!input.trim() || noModel}>
                  Send
                </button>
              )}
            </div>
          </form>
        </div>
        <div className="right">
          <FragmentResult
            status={chat.status}
            fragment={chat.fragment}
            meta={chat.meta}
            usage={chat.usage}
            error={chat.error}
            notice={chat.notice}
            endpoint={endpoint}
            sandboxRuntime={appConfig.sandbox}
          />
          <IncidentsDemo send={chat.send} />
        </div>
      </main>
    </div>
  );
}
