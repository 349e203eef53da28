'use client';

import { type FormEvent, useState } from 'react';
import type { ConversationHistory } from './useConversations';

interface HistorySidebarProps {
  history: ConversationHistory;
  activeId: string | undefined;
  onOpen: (id: string) => void;
  onNew: () => void;
  onDelete: (id: string) => void;
}

function titleOf(conversation: { title: string | null }): string {
  return conversation.title || 'Untitled';
}

/** Stored conversations, newest first: open one to resume it, rename or delete it. */
export function HistorySidebar({ history, activeId, onOpen, onNew, onDelete }: HistorySidebarProps) {
  const [editing, setEditing] = useState<{ id: string; title: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  function saveTitle(event: FormEvent) {
    event.preventDefault();
    if (!editing?.title.trim()) return;
    void history.rename(editing.id, editing.title.trim());
    setEditing(null);
  }

  return (
    <nav className="sidebar" aria-label="Conversations">
      <button type="button" className="button button-primary new-chat" onClick={onNew}>
        + New chat
      </button>
      {history.error ? <p className="sidebar-note">{history.error}</p> : null}
      {history.conversations.length === 0 && !history.error ? (
        <p className="sidebar-note">Your conversations appear here and survive restarts.</p>
      ) : null}
      <ul className="conversation-list">
        {history.conversations.map((conversation) => (
          <li key={conversation.id} aria-current={conversation.id === activeId ? 'true' : undefined}>
            {editing?.id === conversation.id ? (
              <form onSubmit={saveTitle} className="rename-form">
                <input
                  aria-label="Conversation title"
                  value={editing.title}
                  // biome-ignore lint/a11y/noAutofocus: the user just asked to rename this one
                  autoFocus
                  onChange={(event) => setEditing({ id: conversation.id, title: event.target.value })}
                  onKeyDown={(event) => {
                    if (event.key === 'Escape') setEditing(null);
                  }}
                />
                <button type="submit" className="icon-button" aria-label="Save title">
                  ✓
                </button>
              </form>
            ) : (
              <>
                <button type="button" className="conversation-open" onClick={() => onOpen(conversation.id)}>
                  {titleOf(conversation)}
                </button>
                <span className="conversation-actions">
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Rename ${titleOf(conversation)}`}
                    onClick={() => setEditing({ id: conversation.id, title: titleOf(conversation) })}
                  >
                    ✎
                  </button>
                  {confirming === conversation.id ? (
                    <button
                      type="button"
                      className="icon-button danger"
                      aria-label={`Confirm deleting ${titleOf(conversation)}`}
                      onClick={() => {
                        setConfirming(null);
                        onDelete(conversation.id);
                      }}
                      onBlur={() => setConfirming(null)}
                    >
                      Delete?
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Delete ${titleOf(conversation)}`}
                      onClick={() => setConfirming(conversation.id)}
                    >
                      ×
                    </button>
                  )}
                </span>
              </>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
