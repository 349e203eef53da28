'use client';

import {
  createErrorAttachment,
  defaultTemplateIds,
  type ErrorAttachment,
  type Fragment,
  fragmentSchema,
  templates,
} from '@fragmentkit/core';
import { FragmentkitProvider, type PreviewRuntimeError, useAttachments } from '@fragmentkit/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ChatComposer } from './ChatComposer';
import { ContextPanel } from './ContextPanel';
import { endpoint } from './endpoint';
import { HistorySidebar } from './HistorySidebar';
import { MessageList } from './MessageList';
import { SetupNotice } from './SetupNotice';
import { ShareButton } from './ShareButton';
import { starterFragment } from './starterFile';
import type { StoredConversationDetail } from './storedConversation';
import { useConversations } from './useConversations';
import { useHealth } from './useHealth';
import { useResumableChat } from './useResumableChat';
import { useShareSupport } from './useShareSupport';
import { Workspace } from './Workspace';

/** The whole app: history, chat and workspace, sharing one set of attached snippets. */
export function Studio() {
  return (
    <FragmentkitProvider endpoint={endpoint}>
      <StudioLayout />
    </FragmentkitProvider>
  );
}

/** The conversation id in the address bar, so a reload (or a shared tab) resumes it. */
function writeConversationToUrl(id: string | undefined) {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set('c', id);
  else url.searchParams.delete('c');
  window.history.replaceState(null, '', url);
}

/** The error as context for a fix: message, stack and the code around the failing line. */
function errorAttachmentOf(error: PreviewRuntimeError, filePath: string, source: string): ErrorAttachment {
  const options = { message: error.message, stack: error.stack, errorType: error.name, filePath, source };
  const line = error.frames.find((frame) => frame.inApp && frame.line !== undefined)?.line;
  try {
    return createErrorAttachment({ ...options, line });
  } catch {
    // No frame points into the file (e.g. a compile error): anchor it at the top instead.
    return createErrorAttachment({ ...options, line: 1 });
  }
}

function StudioLayout() {
  const { health, failed } = useHealth();
  const history = useConversations();
  const shareSupported = useShareSupport();
  const { chat, resumed, conversationId, resume, startNew } = useResumableChat();
  const { add, clear } = useAttachments();
  const [template, setTemplate] = useState('react-preview');
  const [model, setModel] = useState('');
  const [view, setView] = useState<'code' | 'preview'>('code');
  const [fragment, setFragment] = useState<Fragment>(starterFragment);
  const [code, setCode] = useState(starterFragment.code);

  const busy = chat.status === 'submitted' || chat.status === 'streaming';
  const noModel = health !== null && health.models.length === 0;
  const { refresh } = history;

  const show = useCallback(
    (next: Fragment) => {
      setFragment(next);
      setCode(next.code);
      setView(next === starterFragment ? 'code' : 'preview');
      clear();
    },
    [clear],
  );

  // A finished answer becomes the workspace's fragment.
  const finished = chat.status === 'done' ? chat.fragment : undefined;
  useEffect(() => {
    const parsed = finished && fragmentSchema.safeParse(finished);
    if (parsed?.success) {
      setFragment(parsed.data);
      setCode(parsed.data.code);
      setView('preview');
    }
  }, [finished]);

  useEffect(() => {
    if (!conversationId) return;
    writeConversationToUrl(conversationId);
    void refresh();
  }, [conversationId, refresh]);

  const openConversation = useCallback(
    async (id: string) => {
      const detail: StoredConversationDetail | null = await history.open(id);
      if (!detail) {
        startNew();
        writeConversationToUrl(undefined);
        return;
      }
      resume(detail);
      show(detail.fragments.at(-1)?.fragment ?? starterFragment);
    },
    [history.open, resume, startNew, show],
  );

  // A reload resumes the conversation named in the address bar.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on the first render
  useEffect(() => {
    const id = new URL(window.location.href).searchParams.get('c');
    if (id) void openConversation(id);
  }, []);

  function newChat() {
    startNew();
    writeConversationToUrl(undefined);
    show(starterFragment);
  }

  function deleteConversation(id: string) {
    void history.remove(id);
    // The chat cannot go on in a conversation that no longer exists.
    if (id === conversationId) newChat();
  }

  function send(input: string) {
    void chat.send(input, { template: template || undefined, model: model || undefined });
    // The turn took the attached snippets with it; the next one starts empty.
    clear();
  }

  function fix(error: PreviewRuntimeError) {
    add(errorAttachmentOf(error, fragment.file_path, code));
    send(`Fix this error in ${fragment.file_path}: ${error.name}: ${error.message}`);
  }

  const streamingCode = busy ? chat.fragment?.code : undefined;
  const files = useMemo(() => ({ [fragment.file_path]: code }), [fragment.file_path, code]);
  const defaultModel = health?.models.find((candidate) => candidate.id === health.defaultModel);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          fragmentkit <span className="brand-sub">Next.js</span>
        </span>
        <label className="picker">
          Template
          <select value={template} onChange={(event) => setTemplate(event.target.value)}>
            <option value="">Let the model pick</option>
            {defaultTemplateIds.map((id) => (
              <option key={id} value={id}>
                {templates[id].name}
              </option>
            ))}
          </select>
        </label>
        <label className="picker">
          Model
          <select value={model} onChange={(event) => setModel(event.target.value)} disabled={!health?.models.length}>
            <option value="">
              {defaultModel ? `${defaultModel.model} (${defaultModel.provider})` : 'No model configured'}
            </option>
            {health?.models
              .filter((candidate) => candidate.id !== health.defaultModel)
              .map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.model} ({candidate.provider})
                </option>
              ))}
          </select>
        </label>
        <span className={`status status-${chat.status}`} data-testid="chat-status">
          {chat.status}
        </span>
        {chat.usage ? (
          <span className="usage">
            {chat.usage.inputTokens.toLocaleString('en-US')} in · {chat.usage.outputTokens.toLocaleString('en-US')} out
          </span>
        ) : null}
      </header>
      {noModel ? <SetupNotice /> : null}
      {failed ? (
        <p className="banner" role="alert">
          The fragmentkit API at {endpoint} did not answer. Is the server running?
        </p>
      ) : null}
      <main className="columns">
        <HistorySidebar
          history={history}
          activeId={conversationId}
          onOpen={openConversation}
          onNew={newChat}
          onDelete={deleteConversation}
        />
        <section className="chat" aria-label="Chat">
          <MessageList stored={resumed?.messages ?? []} turns={chat.messages} />
          {chat.notice ? <p className="notice">{chat.notice}</p> : null}
          <ContextPanel report={chat.meta?.prompt} files={files} />
          <ChatComposer busy={busy} disabled={noModel} onSend={send} onStop={chat.stop} />
        </section>
        <Workspace
          fragment={fragment}
          code={streamingCode ?? code}
          onCodeChange={setCode}
          streaming={busy}
          view={view}
          onViewChange={setView}
          onFix={fix}
          fixDisabled={busy || noModel}
          // Fragments here render in the browser: none has a sandbox preview URL to share yet.
          actions={shareSupported ? <ShareButton previewUrl={undefined} /> : null}
        />
      </main>
    </div>
  );
}
