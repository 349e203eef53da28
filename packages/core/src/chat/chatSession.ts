import type { Attachment } from '../attachments/attachment.js';
import { type ErrorBody, FragmentkitError, isAbortError } from '../errors.js';
import type { PartialFragment } from '../fragment/schema.js';
import type { ModelMessage } from '../prompt/types.js';
import type { Usage } from '../usage.js';
import type { ChatStreamEvent, MetaEvent } from '../wire/chatEvents.js';
import type { ChatRequestInput } from '../wire/chatRequest.js';
import { readChatEvents } from './readChatEvents.js';

/**
 * Where a chat session is: `submitted` until the server answers, `streaming` while events
 * arrive, then one of `done`, `error` or `stopped` (the user called `stop()`).
 */
export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'done' | 'error' | 'stopped';

/** Where one turn is. Only `done` turns hold a complete fragment and count as history. */
export type ChatTurnStatus = 'submitted' | 'streaming' | 'done' | 'error' | 'stopped';

/** One exchange: what the user asked, with which snippets, and the fragment that came back. */
export interface ChatTurn {
  /** Also sent as the `Idempotency-Key` of the turn's request. */
  id: string;
  input: string;
  attachments: readonly Attachment[];
  template?: string;
  model?: string;
  status: ChatTurnStatus;
  /** Partial while streaming, kept (incomplete) when stopped, the schema-valid fragment when `done`. */
  fragment?: PartialFragment;
  error?: ErrorBody;
  /** The provider and model that answered, from `meta` (or the fallback's `restart`). */
  answeredBy?: { provider: string; model: string };
  /** Token usage of this turn's answer, from its `usage` event. */
  usage?: Usage;
}

/** The state of a chat session. A new object after every change, never mutated. */
export interface ChatState {
  status: ChatStatus;
  /** Set by the server's first `meta` event and sent back with every later turn. */
  conversationId?: string;
  messages: readonly ChatTurn[];
  /** The fragment of the latest turn: partial while streaming. */
  fragment?: PartialFragment;
  /** Request id, provider, model and prompt token report of the latest turn. */
  meta?: MetaEvent;
  usage?: Usage;
  /**
   * Why the latest turn failed: the server's error (e.g. `RATE_LIMITED`, `CONTEXT_TOO_LARGE`,
   * `STREAM_INCOMPLETE`) or one the client detected: `NETWORK_ERROR` (the server could not be
   * reached), `HTTP_ERROR` (a non-2xx answer without a fragmentkit error body),
   * `INVALID_STREAM_EVENT`, `INVALID_FRAGMENT`, `INVALID_REQUEST` (empty input).
   * `details.status` and `details.retryAfter` carry the HTTP status and `Retry-After` header.
   */
  error?: ErrorBody;
  /** Something the user should know that is not an error, e.g. that a fallback model took over. */
  notice?: string;
}

/** Options of {@link ChatSession.send}. */
export interface ChatSendOptions {
  /** Template id, e.g. `nextjs-developer`; the server picks one when omitted. */
  template?: string;
  /** Model id; the server's router picks one when omitted. */
  model?: string;
}

/** Options of {@link createChatSession}. */
export interface ChatSessionOptions {
  /** Base URL of the fragmentkit handler, e.g. `/api/fragmentkit`; requests go to `${endpoint}/chat`. */
  endpoint: string;
  /** Defaults to the global `fetch`, looked up at send time. */
  fetch?: typeof fetch;
  /** Snippets to send with each turn, read at send time. */
  getAttachments?: () => readonly Attachment[];
  /** Extra request headers, e.g. for auth; a function is called at send time. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Ids for turns and `Idempotency-Key`s. Defaults to random UUIDs. */
  generateId?: () => string;
  /**
   * Resuming a stream that breaks before its final event (network error, `STREAM_INCOMPLETE`):
   * the session asks `${endpoint}/chat/${requestId}/stream` for the events after the last one it
   * got (`Last-Event-ID`), or sends the turn again with its `Idempotency-Key` when that stream is
   * gone, skips events it already has and goes on. The turn fails only when resuming fails.
   * `false` turns it off. Default: 3 attempts, 0.5 s, 1 s, 2 s apart.
   */
  reconnect?: ChatReconnectOptions | false;
}

/**
 * How a {@link ChatSession} resumes a broken stream.
 *
 * @example
 * ```ts
 * const reconnect: ChatReconnectOptions = {
 *   attempts: 5,
 *   wait: (attempt, signal) => new Promise((resolve) => setTimeout(resolve, 250 * attempt)),
 * };
 * createChatSession({ endpoint: '/api/fragmentkit', reconnect });
 * ```
 */
export interface ChatReconnectOptions {
  /** Attempts in a row without a new event before the turn fails. Default 3. */
  attempts?: number;
  /** Waits before attempt `attempt` (1, 2, …); should reject when `signal` aborts (the user stopped). */
  wait?: (attempt: number, signal: AbortSignal) => Promise<void>;
}

/** Where a turn's stream is: what a resume asks for. */
interface StreamPosition {
  requestId: string | undefined;
  lastEventId: number;
}

type ResumeOutcome = { body: ReadableStream<Uint8Array> } | { error: ErrorBody } | undefined;

/**
 * A chat with the fragmentkit server: sends turns, reads the event stream and keeps the
 * resulting {@link ChatState}. Framework-agnostic; React wraps it in `useFragmentChat`.
 */
export interface ChatSession {
  /**
   * Sends a turn with the current attachments and every earlier `done` turn as history.
   * Resolves when the turn ends; it never rejects: failures land in `getSnapshot().error`.
   * A turn still in flight is stopped first.
   */
  send(input: string, options?: ChatSendOptions): Promise<void>;
  /** Aborts the turn in flight; its partial fragment is kept with status `stopped`. */
  stop(): void;
  /** Replaces the latest turn by sending the same input, options and attachments again. */
  retry(): Promise<void>;
  /** Stops any turn in flight and forgets the conversation. */
  reset(): void;
  /**
   * Stops any turn in flight and continues the stored conversation `conversationId` with its
   * earlier `turns` (e.g. read from `GET /conversations/:id` after a reload): its `done` turns
   * are sent as history with the next one.
   */
  load(conversationId: string, turns: readonly ChatTurn[]): void;
  getSnapshot(): ChatState;
  /** Calls `listener` after every change. @returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
}

const initialState: ChatState = Object.freeze({ status: 'idle', messages: Object.freeze([]) });

/**
 * Creates a {@link ChatSession} against a fragmentkit server.
 *
 * @example
 * ```ts
 * import { createAttachmentStore, createChatSession } from '@fragmentkit/core';
 *
 * const attachments = createAttachmentStore();
 * const chat = createChatSession({ endpoint: '/api/fragmentkit', getAttachments: attachments.getSnapshot });
 * chat.subscribe(() => {
 *   const { status, fragment, error } = chat.getSnapshot();
 *   render(status, fragment, error);
 * });
 * await chat.send('Add a reset button', { template: 'nextjs-developer' });
 * ```
 */
export function createChatSession(options: ChatSessionOptions): ChatSession {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const generateId = options.generateId ?? randomId;
  const reconnectAttempts = options.reconnect === false ? 0 : (options.reconnect?.attempts ?? 3);
  if (!Number.isSafeInteger(reconnectAttempts) || reconnectAttempts < 0) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `reconnect.attempts must be a whole number of 0 or more; got ${String(reconnectAttempts)}.`,
    );
  }
  const waitBeforeReconnect = (options.reconnect ? options.reconnect.wait : undefined) ?? exponentialBackoff;
  const listeners = new Set<() => void>();
  let state = initialState;
  /** The turn in flight; events of any other (stopped, replaced) turn are ignored. */
  let active: { turnId: string; controller: AbortController } | undefined;

  function setState(next: ChatState): void {
    state = next;
    for (const listener of [...listeners]) listener();
  }

  function updateTurn(turnId: string, patch: Partial<ChatTurn>, statePatch: Partial<ChatState> = {}): void {
    const messages = state.messages.map((turn) => (turn.id === turnId ? { ...turn, ...patch } : turn));
    const latest = messages[messages.length - 1];
    setState({ ...state, ...statePatch, messages, fragment: latest?.fragment });
  }

  function finish(turnId: string, status: 'done' | 'error' | 'stopped', patch: Partial<ChatTurn> = {}): void {
    if (active?.turnId === turnId) active = undefined;
    updateTurn(turnId, { ...patch, status }, { status, error: patch.error });
  }

  function stop(): void {
    if (!active) return;
    const { turnId, controller } = active;
    finish(turnId, 'stopped');
    controller.abort();
  }

  function handleEvent(turnId: string, event: ChatStreamEvent): void {
    switch (event.type) {
      case 'meta':
        updateTurn(
          turnId,
          { status: 'streaming', answeredBy: { provider: event.provider, model: event.model } },
          { status: 'streaming', meta: event, conversationId: event.conversationId },
        );
        return;
      case 'fragment-delta':
        updateTurn(turnId, { status: 'streaming', fragment: event.fragment }, { status: 'streaming' });
        return;
      case 'restart':
        updateTurn(
          turnId,
          { fragment: undefined, answeredBy: { provider: event.provider, model: event.model } },
          {
            meta: state.meta && { ...state.meta, provider: event.provider, model: event.model },
            notice: `Answering with fallback model ${event.model} (${event.provider}); the partial answer was discarded. Reason: ${event.reason}`,
          },
        );
        return;
      case 'usage':
        updateTurn(turnId, { usage: event.usage }, { usage: event.usage });
        return;
      case 'done':
        finish(turnId, 'done', { fragment: event.fragment });
        return;
      case 'error':
        finish(turnId, 'error', { error: event.error });
        return;
    }
  }

  async function run(turn: ChatTurn): Promise<void> {
    stop();
    const controller = new AbortController();
    active = { turnId: turn.id, controller };
    const history: ModelMessage[] = state.messages
      .filter((previous) => previous.status === 'done')
      .flatMap((previous) => [
        { role: 'user', content: previous.input },
        { role: 'assistant', content: JSON.stringify(previous.fragment) },
      ]);
    const body: ChatRequestInput = {
      input: turn.input,
      attachments: [...turn.attachments],
      conversationId: state.conversationId,
      template: turn.template,
      model: turn.model,
      history,
    };
    setState({
      ...state,
      status: 'submitted',
      messages: [...state.messages, turn],
      fragment: undefined,
      meta: undefined,
      usage: undefined,
      error: undefined,
      notice: undefined,
    });

    const isActive = () => active?.turnId === turn.id;
    const fetchImplementation = options.fetch ?? globalThis.fetch;
    const currentHeaders = () => (typeof options.headers === 'function' ? options.headers() : options.headers);
    const post = (lastEventId: number) =>
      fetchImplementation(`${endpoint}/chat`, {
        method: 'POST',
        headers: {
          ...currentHeaders(),
          'Content-Type': 'application/json',
          Accept: 'text/event-stream',
          'Idempotency-Key': turn.id,
          ...(lastEventId > 0 ? { 'Last-Event-ID': String(lastEventId) } : {}),
        },
        body: JSON.stringify(body),
        signal: controller.signal,
      });

    /** Reads events, skipping those it had before a resume; answers the error of a break, if the stream broke. */
    async function readTurn(
      events: ReadableStream<Uint8Array>,
      position: StreamPosition,
    ): Promise<ErrorBody | undefined> {
      let broken: ErrorBody | undefined;
      await readChatEvents(
        events,
        (event, id) => {
          if (!isActive()) return;
          const eventNumber = Number(id);
          if (id && Number.isSafeInteger(eventNumber)) {
            if (eventNumber <= position.lastEventId) return;
            position.lastEventId = eventNumber;
          }
          // A break has no id: the reader made it up, or a server could not go on resuming.
          if (event.type === 'error' && event.error.code === 'STREAM_INCOMPLETE' && !id) {
            broken = event.error;
            return;
          }
          if (event.type === 'meta') position.requestId = event.requestId;
          handleEvent(turn.id, event);
        },
        controller.signal,
      );
      return broken;
    }

    /** One resume attempt: a stream to go on with, an error that ends the turn, or undefined to try again. */
    async function resume(position: StreamPosition): Promise<ResumeOutcome> {
      try {
        let response =
          position.requestId === undefined
            ? undefined
            : await fetchImplementation(`${endpoint}/chat/${encodeURIComponent(position.requestId)}/stream`, {
                headers: {
                  ...currentHeaders(),
                  Accept: 'text/event-stream',
                  'Last-Event-ID': String(position.lastEventId),
                },
                signal: controller.signal,
              });
        if (!response || response.status === 404) {
          await response?.body?.cancel().catch(() => {});
          // The stream is no longer buffered: the turn's Idempotency-Key gets its recorded answer.
          response = await post(position.lastEventId);
        }
        if (response.ok && response.body) return { body: response.body };
        if (response.ok || response.status === 409 || response.status === 429 || response.status >= 500) {
          await response.body?.cancel().catch(() => {});
          return undefined;
        }
        return { error: await errorFromResponse(response, response.url || `${endpoint}/chat`) };
      } catch (error) {
        if (isAbortError(error)) throw error;
        return undefined;
      }
    }

    try {
      const response = await post(0);
      if (!isActive()) return;
      if (!response.ok) {
        const error = await errorFromResponse(response, `${endpoint}/chat`);
        if (isActive()) finish(turn.id, 'error', { error });
        return;
      }
      if (!response.body) {
        finish(turn.id, 'error', {
          error: { code: 'STREAM_INCOMPLETE', message: 'The server answered without a body. Try again.' },
        });
        return;
      }
      updateTurn(turn.id, { status: 'streaming' }, { status: 'streaming' });
      const position: StreamPosition = { requestId: undefined, lastEventId: 0 };
      let events: ReadableStream<Uint8Array> = response.body;
      let failedAttempts = 0;
      for (;;) {
        const progress = position.lastEventId;
        const broken = await readTurn(events, position);
        if (!broken || !isActive()) return;
        if (position.lastEventId > progress) failedAttempts = 0;
        let outcome: ResumeOutcome;
        while (outcome === undefined && failedAttempts < reconnectAttempts) {
          failedAttempts += 1;
          await waitBeforeReconnect(failedAttempts, controller.signal);
          outcome = await resume(position);
        }
        if (!isActive()) return;
        if (!outcome || 'error' in outcome) {
          finish(turn.id, 'error', { error: outcome?.error ?? broken });
          return;
        }
        events = outcome.body;
      }
    } catch (error) {
      if (!isActive()) return;
      if (isAbortError(error)) {
        finish(turn.id, 'stopped');
        return;
      }
      const reason = error instanceof Error ? error.message : String(error);
      finish(turn.id, 'error', {
        error: {
          code: 'NETWORK_ERROR',
          message: `Could not reach ${endpoint}/chat (${reason}). Check the connection and try again.`,
        },
      });
    }
  }

  return {
    send(input, sendOptions = {}) {
      if (input.trim() === '') {
        stop();
        const error = { code: 'INVALID_REQUEST', message: 'Type a request before sending.' };
        setState({ ...state, status: 'error', error, notice: undefined });
        return Promise.resolve();
      }
      return run({
        id: generateId(),
        input,
        attachments: options.getAttachments?.() ?? [],
        template: sendOptions.template,
        model: sendOptions.model,
        status: 'submitted',
      });
    },
    stop,
    retry() {
      const latest = state.messages[state.messages.length - 1];
      if (!latest) return Promise.resolve();
      stop();
      setState({ ...state, messages: state.messages.slice(0, -1) });
      return run({
        id: generateId(),
        input: latest.input,
        attachments: latest.attachments,
        template: latest.template,
        model: latest.model,
        status: 'submitted',
      });
    },
    reset() {
      stop();
      setState(initialState);
    },
    load(conversationId, turns) {
      stop();
      const messages = Object.freeze([...turns]);
      const latest = messages[messages.length - 1];
      setState({ status: 'idle', conversationId, messages, fragment: latest?.fragment });
    },
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Reads the `{ error: { code, message } }` body of a non-2xx answer, whatever the server sent. */
async function errorFromResponse(response: Response, url: string): Promise<ErrorBody> {
  const retryAfter = response.headers.get('Retry-After');
  const extra = { status: response.status, ...(retryAfter === null ? {} : { retryAfter }) };
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  const error = isRecord(json) ? json.error : undefined;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return {
      code: error.code,
      message: error.message,
      details: { ...(isRecord(error.details) ? error.details : {}), ...extra },
    };
  }
  return {
    code: 'HTTP_ERROR',
    message: `${url} answered ${response.status} ${response.statusText} without a fragmentkit error. Check the endpoint.`,
    details: extra,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 0.5 s, 1 s, 2 s, …; rejects with the abort reason when the turn is stopped meanwhile. */
function exponentialBackoff(attempt: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      500 * 2 ** (attempt - 1),
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `crypto.randomUUID` only exists in secure contexts; `getRandomValues` exists everywhere. */
function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
