import type { PartialFragment } from '@fragmentkit/core';
import type { ReactNode } from 'react';
import { UsageMeter } from './UsageMeter.js';
import type { ChatMessage } from './useFragmentChat.js';

/**
 * Props of {@link ChatThread}.
 *
 * @example
 * ```ts
 * const props: ChatThreadProps = { messages: chat.messages, onRetry: chat.retry };
 * ```
 */
export interface ChatThreadProps {
  /** The turns of `useFragmentChat`. */
  messages: readonly ChatMessage[];
  /** Something to tell the user that is not an error, e.g. `useFragmentChat`'s fallback `notice`. */
  notice?: string;
  /** Shown on a failed or stopped latest turn. */
  onRetry?: () => void;
  /** Shown on a `done` latest turn. */
  onRegenerate?: () => void;
  /** Renders an answer; default: the fragment's title and commentary. */
  renderAnswer?: (fragment: PartialFragment | undefined, message: ChatMessage) => ReactNode;
  className?: string;
}

const statusWords: Record<ChatMessage['status'], string> = {
  submitted: 'Sending…',
  streaming: 'Answering…',
  done: '',
  error: 'Failed',
  stopped: 'Stopped',
};

function DefaultAnswer({ fragment }: { fragment: PartialFragment | undefined }) {
  if (!fragment) return null;
  return (
    <>
      {fragment.title && <p className="fk-answer-title">{fragment.title}</p>}
      {fragment.commentary && <p className="fk-answer-commentary">{fragment.commentary}</p>}
    </>
  );
}

/**
 * The conversation as a `role="log"` list: each request, its answer (partial while
 * streaming), errors with Retry, Regenerate on the latest answer, and token usage and cost.
 * New answers are announced politely by screen readers.
 *
 * @example
 * ```tsx
 * import { ChatThread, Composer, useFragmentChat } from '@fragmentkit/react';
 *
 * function Chat() {
 *   const chat = useFragmentChat({ conversationId: new URLSearchParams(location.search).get('c') ?? undefined });
 *   return (
 *     <>
 *       <ChatThread messages={chat.messages} notice={chat.notice} onRetry={chat.retry} onRegenerate={chat.regenerate} />
 *       <Composer onSend={chat.send} onStop={chat.stop} busy={chat.status === 'streaming'} />
 *     </>
 *   );
 * }
 * ```
 */
export function ChatThread({ messages, notice, onRetry, onRegenerate, renderAnswer, className }: ChatThreadProps) {
  return (
    <div className={className ? `fk-thread ${className}` : 'fk-thread'}>
      <div role="log" aria-label="Conversation" className="fk-thread-log">
        <ol className="fk-thread-list">
          {messages.map((message, index) => {
            const latest = index === messages.length - 1;
            return (
              <li key={message.id} className="fk-turn" data-status={message.status}>
                <div className="fk-turn-request">
                  <p className="fk-turn-input">{message.input}</p>
                  {message.attachments.length > 0 && (
                    <p className="fk-turn-attachments">
                      {message.attachments.length} {message.attachments.length === 1 ? 'snippet' : 'snippets'} attached
                    </p>
                  )}
                </div>
                <div
                  className="fk-turn-answer"
                  aria-busy={message.status === 'streaming' || message.status === 'submitted'}
                >
                  {renderAnswer ? (
                    renderAnswer(message.fragment, message)
                  ) : (
                    <DefaultAnswer fragment={message.fragment} />
                  )}
                  {statusWords[message.status] && <p className="fk-turn-status">{statusWords[message.status]}</p>}
                  {message.error && (
                    <p className="fk-turn-error" role="alert">
                      {message.error.message}
                    </p>
                  )}
                  <UsageMeter usage={message.usage} cost={message.cost} model={message.answeredBy?.model} />
                  {latest && onRetry && (message.status === 'error' || message.status === 'stopped') && (
                    <button type="button" className="fk-button fk-turn-retry" onClick={onRetry}>
                      Retry
                    </button>
                  )}
                  {latest && onRegenerate && message.status === 'done' && (
                    <button type="button" className="fk-button fk-turn-regenerate" onClick={onRegenerate}>
                      Regenerate
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      </div>
      {/* Always rendered, so screen readers already watch it when a notice arrives. */}
      <p className="fk-thread-notice" role="status">
        {notice}
      </p>
    </div>
  );
}
