'use client';

import { type UseFragmentChatResult, useFragmentChat } from '@fragmentkit/react';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { StoredConversationDetail } from './storedConversation';

/** What {@link useResumableChat} returns: the chat plus the stored conversation it continues. */
export interface ResumableChat {
  chat: UseFragmentChatResult;
  /** The stored conversation opened from history (or after a reload), if any. */
  resumed: StoredConversationDetail | null;
  /** The id turns are sent with: the chat's own once it has one, else the resumed one. */
  conversationId: string | undefined;
  /** Shows a stored conversation and sends later turns into it. */
  resume: (detail: StoredConversationDetail) => void;
  /** Starts over with a new conversation. */
  startNew: () => void;
}

/**
 * `useFragmentChat` that can continue a stored conversation. The chat session has no way to
 * be given an existing conversation id, so turns sent before the server names one carry the
 * resumed id in their body; the server then takes the history from its store.
 */
export function useResumableChat(): ResumableChat {
  const [resumed, setResumed] = useState<StoredConversationDetail | null>(null);
  const resumedIdRef = useRef<string | undefined>(undefined);

  const resumingFetch = useCallback<typeof fetch>((input, init) => {
    const resumedId = resumedIdRef.current;
    if (!resumedId || init?.method !== 'POST' || typeof init.body !== 'string' || !String(input).endsWith('/chat')) {
      return fetch(input, init);
    }
    const body = JSON.parse(init.body) as { conversationId?: string; history?: unknown[] };
    // The stored history is the one that counts; the session only knows the turns since the reload.
    const next = { ...body, conversationId: body.conversationId ?? resumedId, history: [] };
    return fetch(input, { ...init, body: JSON.stringify(next) });
  }, []);

  const chat = useFragmentChat({ fetch: resumingFetch });
  const { reset } = chat;

  const resume = useCallback(
    (detail: StoredConversationDetail) => {
      reset();
      resumedIdRef.current = detail.conversation.id;
      setResumed(detail);
    },
    [reset],
  );

  const startNew = useCallback(() => {
    reset();
    resumedIdRef.current = undefined;
    setResumed(null);
  }, [reset]);

  const conversationId = chat.conversationId ?? resumed?.conversation.id;
  return useMemo(
    () => ({ chat, resumed, conversationId, resume, startNew }),
    [chat, resumed, conversationId, resume, startNew],
  );
}
