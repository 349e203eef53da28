import { type ChatSendOptions, type ChatState, createChatSession } from '@fragmentkit/core';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { defaultEndpoint, useOptionalFragmentkit } from './FragmentkitProvider.js';

/** Options of {@link useFragmentChat}; each defaults to the `FragmentkitProvider`'s. */
export interface UseFragmentChatOptions {
  /** Base URL of the fragmentkit handler. A new endpoint starts a new conversation. */
  endpoint?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** Extra request headers, e.g. for auth; a function is called at send time. */
  headers?: Record<string, string> | (() => Record<string, string>);
}

/** What {@link useFragmentChat} returns: the chat state plus its actions. */
export interface UseFragmentChatResult extends ChatState {
  /** Sends a turn with the currently attached snippets. Never rejects; failures land in `error`. */
  send: (input: string, options?: ChatSendOptions) => Promise<void>;
  /** Aborts the answer in flight, keeping what arrived (status `stopped`). */
  stop: () => void;
  /** Sends the latest turn again, replacing it. */
  retry: () => Promise<void>;
  /** Stops any answer in flight and starts a new conversation. */
  reset: () => void;
}

/**
 * Chats with the fragmentkit server: each `send` posts the input with the snippets attached
 * in the nearest `FragmentkitProvider` (read at send time) and streams the fragment back.
 * Works without a provider too, sending no attachments.
 *
 * @example
 * ```tsx
 * import { useFragmentChat } from '@fragmentkit/react';
 *
 * function Chat() {
 *   const { send, stop, status, fragment, error, notice } = useFragmentChat();
 *   return (
 *     <form onSubmit={(event) => { event.preventDefault(); void send(new FormData(event.currentTarget).get('input') as string); }}>
 *       <input name="input" />
 *       {status === 'streaming' ? <button type="button" onClick={stop}>Stop</button> : <button>Send</button>}
 *       {notice && <p>{notice}</p>}
 *       {error && <p role="alert">{error.message}</p>}
 *       <pre>{fragment?.code}</pre>
 *     </form>
 *   );
 * }
 * ```
 */
export function useFragmentChat(options: UseFragmentChatOptions = {}): UseFragmentChatResult {
  const context = useOptionalFragmentkit();
  const endpoint = options.endpoint ?? context?.endpoint ?? defaultEndpoint;
  const latest = useRef({ options, context });
  useEffect(() => {
    latest.current = { options, context };
  });

  // One session per endpoint; fetch, headers and attachments are read when a turn is sent, so
  // changing them does not drop the conversation.
  const session = useMemo(
    () =>
      createChatSession({
        endpoint,
        fetch: (input, init) => {
          const { options, context } = latest.current;
          return (options.fetch ?? context?.fetch ?? globalThis.fetch)(input, init);
        },
        getAttachments: () => latest.current.context?.attachmentStore.getSnapshot() ?? [],
        headers: () => {
          const headers = latest.current.options.headers ?? latest.current.context?.headers;
          return (typeof headers === 'function' ? headers() : headers) ?? {};
        },
      }),
    [endpoint],
  );
  useEffect(() => () => session.stop(), [session]);

  const state = useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
  return useMemo(
    () => ({ ...state, send: session.send, stop: session.stop, retry: session.retry, reset: session.reset }),
    [state, session],
  );
}
