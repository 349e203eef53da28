import {
  type ChatSendOptions,
  type ChatState,
  type ChatTurn,
  type Cost,
  computeCost,
  createChatSession,
  type ErrorBody,
  type PriceTable,
} from '@fragmentkit/core';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { type StoredConversation, turnsFromConversation } from './conversationHistory.js';
import { defaultEndpoint, useOptionalFragmentkit } from './FragmentkitProvider.js';
import { isErrorBody, networkError, readErrorBody } from './readErrorBody.js';

/**
 * Options of {@link useFragmentChat}; `endpoint`, `fetch` and `headers` default to the `FragmentkitProvider`'s.
 *
 * @example
 * ```ts
 * const options: UseFragmentChatOptions = { conversationId: params.id, prices: createPriceTable() };
 * ```
 */
export interface UseFragmentChatOptions {
  /** Base URL of the fragmentkit handler. A new endpoint starts a new conversation. */
  endpoint?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** Extra request headers, e.g. for auth; a function is called at send time. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /**
   * A stored conversation to continue: its history is loaded on mount from
   * `GET {endpoint}/conversations/:id` and sent with the next turn. Changing it to another id
   * loads that conversation; setting it to the id the server just assigned changes nothing.
   */
  conversationId?: string;
  /** Prices to show each answer's cost with (see `createPriceTable` and `defaultPrices` of core). */
  prices?: PriceTable;
}

/**
 * A chat turn with the cost of its answer, when prices and usage are known.
 *
 * @example
 * ```ts
 * const spent = (messages: readonly ChatMessage[]) => messages.reduce((sum, message) => sum + (message.cost?.totalUsd ?? 0), 0);
 * ```
 */
export interface ChatMessage extends ChatTurn {
  cost?: Cost;
}

/**
 * What {@link useFragmentChat} returns: the chat state plus its actions.
 *
 * @example
 * ```ts
 * const { messages, send, regenerate }: UseFragmentChatResult = useFragmentChat();
 * ```
 */
export interface UseFragmentChatResult extends Omit<ChatState, 'messages'> {
  messages: readonly ChatMessage[];
  /**
   * Whether the stored conversation's history is `loading`, `loaded` or failed (`error`); `idle`
   * without one. Send once it is `loaded`: a turn sent earlier starts a new conversation and the
   * history is not applied (`historyError.code` `HISTORY_SUPERSEDED`).
   */
  historyStatus: 'idle' | 'loading' | 'loaded' | 'error';
  /** Why loading the history failed, e.g. `NOT_FOUND`. */
  historyError?: ErrorBody;
  /** Sends a turn with the currently attached snippets. Never rejects; failures land in `error`. */
  send: (input: string, options?: ChatSendOptions) => Promise<void>;
  /** Aborts the answer in flight, keeping what arrived (status `stopped`). */
  stop: () => void;
  /** Sends the latest turn again after it failed or was stopped, replacing it (with a new `Idempotency-Key`). */
  retry: () => Promise<void>;
  /** Asks for a new answer to the latest turn, replacing the one it got. */
  regenerate: () => Promise<void>;
  /** Stops any answer in flight and starts a new conversation. */
  reset: () => void;
  /** Loads the stored conversation's history again, e.g. after `historyError`. */
  reloadHistory: () => void;
}

/**
 * Chats with the fragmentkit server: each `send` posts the input with the snippets attached
 * in the nearest `FragmentkitProvider` (read at send time) and an `Idempotency-Key`, and
 * streams the fragment back. A stream that breaks is resumed from its last event
 * (`GET /chat/:requestId/stream` with `Last-Event-ID`); when a fallback model takes over, the
 * partial answer is discarded and `notice` says so. With `conversationId`, the stored history
 * is loaded on mount. Works without a provider too, sending no attachments.
 *
 * @example
 * ```tsx
 * import { useFragmentChat } from '@fragmentkit/react';
 *
 * function Chat({ conversationId }: { conversationId?: string }) {
 *   const { send, stop, retry, status, fragment, error, notice } = useFragmentChat({ conversationId });
 *   return (
 *     <form onSubmit={(event) => { event.preventDefault(); void send(new FormData(event.currentTarget).get('input') as string); }}>
 *       <input name="input" />
 *       {status === 'streaming' ? <button type="button" onClick={stop}>Stop</button> : <button>Send</button>}
 *       {notice && <p>{notice}</p>}
 *       {error && <p role="alert">{error.message} <button type="button" onClick={() => void retry()}>Retry</button></p>}
 *       <pre>{fragment?.code}</pre>
 *     </form>
 *   );
 * }
 * ```
 */
export function useFragmentChat(options: UseFragmentChatOptions = {}): UseFragmentChatResult {
  const context = useOptionalFragmentkit();
  const endpoint = (options.endpoint ?? context?.endpoint ?? defaultEndpoint).replace(/\/+$/, '');
  const latest = useRef({ options, context });
  useEffect(() => {
    latest.current = { options, context };
  });
  const currentFetch = useCallback((input: RequestInfo | URL, init?: RequestInit) => {
    const { options, context } = latest.current;
    return (options.fetch ?? context?.fetch ?? globalThis.fetch)(input, init);
  }, []);
  const currentHeaders = useCallback(() => {
    const headers = latest.current.options.headers ?? latest.current.context?.headers;
    return (typeof headers === 'function' ? headers() : headers) ?? {};
  }, []);

  // One session per endpoint; fetch, headers and attachments are read when a turn is sent, so
  // changing them does not drop the conversation.
  const session = useMemo(
    () =>
      createChatSession({
        endpoint,
        fetch: currentFetch,
        getAttachments: () => latest.current.context?.attachmentStore.getSnapshot() ?? [],
        headers: currentHeaders,
      }),
    [endpoint, currentFetch, currentHeaders],
  );
  useEffect(() => () => session.stop(), [session]);
  const state = useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);

  const [history, setHistory] = useState<{ status: UseFragmentChatResult['historyStatus']; error?: ErrorBody }>({
    status: 'idle',
  });
  const [reloads, setReloads] = useState(0);
  const wanted = options.conversationId;
  useEffect(() => {
    // `reloads` re-runs the load on request.
    void reloads;
    if (wanted === undefined) return;
    if (session.getSnapshot().conversationId === wanted && session.getSnapshot().messages.length > 0) return;
    const controller = new AbortController();
    const url = `${endpoint}/conversations/${encodeURIComponent(wanted)}`;
    setHistory({ status: 'loading' });
    (async () => {
      try {
        const response = await currentFetch(url, { headers: currentHeaders(), signal: controller.signal });
        if (!response.ok) throw await readErrorBody(response, url);
        const stored = (await response.json()) as StoredConversation;
        if (controller.signal.aborted) return;
        // A turn sent while the history was on its way is not thrown away; it started a new conversation.
        if (session.getSnapshot().messages.length > 0) {
          setHistory({
            status: 'error',
            error: { code: 'HISTORY_SUPERSEDED', message: 'A message was sent before the history loaded.' },
          });
          return;
        }
        session.load(wanted, turnsFromConversation(stored));
        setHistory({ status: 'loaded' });
      } catch (error) {
        if (controller.signal.aborted) return;
        const body = isErrorBody(error) ? error : networkError(url, error);
        setHistory({ status: 'error', error: body });
      }
    })();
    return () => controller.abort();
  }, [session, endpoint, wanted, reloads, currentFetch, currentHeaders]);

  const prices = options.prices;
  const messages = useMemo(
    () => (prices ? state.messages.map((turn) => withCost(turn, prices)) : state.messages),
    [state.messages, prices],
  );
  const reloadHistory = useCallback(() => setReloads((count) => count + 1), []);

  return useMemo(
    () => ({
      ...state,
      messages,
      historyStatus: history.status,
      historyError: history.error,
      send: session.send,
      stop: session.stop,
      retry: session.retry,
      regenerate: session.retry,
      reset: session.reset,
      reloadHistory,
    }),
    [state, messages, history, session, reloadHistory],
  );
}

function withCost(turn: ChatTurn, prices: PriceTable): ChatMessage {
  if (!turn.usage || !turn.answeredBy) return turn;
  const cost = computeCost(turn.usage, { provider: turn.answeredBy.provider, modelId: turn.answeredBy.model }, prices);
  return cost ? { ...turn, cost } : turn;
}
