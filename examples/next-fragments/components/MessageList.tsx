'use client';

import type { ChatTurn } from '@fragmentkit/core';
import { lineRangeLabel } from '@fragmentkit/react';
import { useEffect, useRef } from 'react';
import { fragmentOfMessage, type StoredMessage } from './storedConversation';

interface MessageView {
  key: string;
  role: 'user' | 'assistant';
  text: string;
  title?: string;
  context?: string[];
  status?: string;
  error?: string;
}

function storedViews(messages: readonly StoredMessage[]): MessageView[] {
  return messages.map((message) => {
    if (message.role === 'user') {
      const context = message.attachments.map((item) => `${item.filePath} ${lineRangeLabel(item.range)}`);
      return { key: message.id, role: 'user', text: message.content, context };
    }
    const fragment = fragmentOfMessage(message);
    return {
      key: message.id,
      role: 'assistant',
      text: fragment?.commentary ?? '',
      title: fragment?.title,
      status: 'done',
    };
  });
}

function turnViews(turns: readonly ChatTurn[]): MessageView[] {
  return turns.flatMap((turn): MessageView[] => [
    {
      key: `${turn.id}:user`,
      role: 'user',
      text: turn.input,
      context: turn.attachments.map((item) => `${item.filePath} ${lineRangeLabel(item.range)}`),
    },
    {
      key: `${turn.id}:assistant`,
      role: 'assistant',
      text: turn.fragment?.commentary ?? '',
      title: turn.fragment?.title,
      status: turn.status,
      error: turn.error ? `${turn.error.code}: ${turn.error.message}` : undefined,
    },
  ]);
}

/** The conversation so far: stored messages of a resumed conversation, then this session's turns. */
export function MessageList({ stored, turns }: { stored: readonly StoredMessage[]; turns: readonly ChatTurn[] }) {
  const views = [...storedViews(stored), ...turnViews(turns)];
  const endRef = useRef<HTMLDivElement>(null);
  const last = views.at(-1);
  const lastText = last ? `${last.key}${last.text.length}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the newest message grows
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [lastText]);

  if (views.length === 0) {
    return (
      <div className="messages messages-empty">
        <p>Describe a small React app, or attach lines of the code on the right and ask for a change.</p>
      </div>
    );
  }
  return (
    <div className="messages">
      <ol className="message-list" aria-label="Messages">
        {views.map((view) => (
          <li key={view.key} className={`message message-${view.role}`} data-status={view.status}>
            {view.title ? <strong className="message-title">{view.title}</strong> : null}
            {view.text ? <p>{view.text}</p> : null}
            {view.role === 'assistant' && !view.text && !view.error && view.status !== 'done' ? (
              <p className="message-pending">{view.status === 'stopped' ? 'Stopped.' : 'Thinking…'}</p>
            ) : null}
            {view.context && view.context.length > 0 ? (
              <ul className="message-context" aria-label="Attached with this message">
                {view.context.map((label) => (
                  <li key={label}>{label}</li>
                ))}
              </ul>
            ) : null}
            {view.error ? (
              <p className="message-error" role="alert">
                {view.error}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      <div ref={endRef} />
    </div>
  );
}
