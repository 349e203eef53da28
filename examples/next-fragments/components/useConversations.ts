'use client';

import { useCallback, useEffect, useState } from 'react';
import { endpoint } from './endpoint';
import type { StoredConversation, StoredConversationDetail } from './storedConversation';

/** What {@link useConversations} returns. */
export interface ConversationHistory {
  conversations: StoredConversation[];
  /** Why the list could not be loaded, e.g. the server keeps no history. */
  error: string | null;
  refresh: () => Promise<void>;
  open: (id: string) => Promise<StoredConversationDetail | null>;
  rename: (id: string, title: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

async function errorMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `${response.status} ${response.statusText}`;
}

/** The caller's stored conversations (newest first), with open, rename and delete. */
export function useConversations(): ConversationHistory {
  const [conversations, setConversations] = useState<StoredConversation[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const response = await fetch(`${endpoint}/conversations?limit=50`).catch(() => null);
    if (!response?.ok) {
      setError(response ? await errorMessage(response) : 'The server could not be reached.');
      return;
    }
    const page = (await response.json()) as { conversations: StoredConversation[] };
    setConversations(page.conversations);
    setError(null);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const open = useCallback(async (id: string) => {
    const response = await fetch(`${endpoint}/conversations/${encodeURIComponent(id)}`).catch(() => null);
    if (!response?.ok) return null;
    return (await response.json()) as StoredConversationDetail;
  }, []);

  const rename = useCallback(
    async (id: string, title: string) => {
      const response = await fetch(`${endpoint}/conversations/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title }),
      });
      if (!response.ok) setError(await errorMessage(response));
      await refresh();
    },
    [refresh],
  );

  const remove = useCallback(
    async (id: string) => {
      const response = await fetch(`${endpoint}/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (!response.ok) setError(await errorMessage(response));
      await refresh();
    },
    [refresh],
  );

  return { conversations, error, refresh, open, rename, remove };
}
