import type { ErrorBody, MetaEvent, PartialFragment, Usage } from '@fragmentkit/core';
import { CodeView } from '@fragmentkit/react';

interface FragmentResultProps {
  status: string;
  fragment: PartialFragment | undefined;
  meta: MetaEvent | undefined;
  usage: Usage | undefined;
  error: ErrorBody | undefined;
  notice: string | undefined;
}

/** The streamed fragment: title, commentary and code as they arrive. */
export function FragmentResult({ status, fragment, meta, usage, error, notice }: FragmentResultProps) {
  return (
    <section className="result" aria-label="Generated fragment" aria-busy={status === 'streaming'}>
      <header className="result-header">
        <h2>{fragment?.title || 'Generated fragment'}</h2>
        <span className={`status status-${status}`} data-testid="chat-status">
          {status}
        </span>
      </header>
      {meta ? (
        <p className="meta">
          {meta.provider} · {meta.model} · prompt ~{meta.prompt.totalTokens} tokens
        </p>
      ) : null}
      {notice ? <p className="notice">{notice}</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error.code}: {error.message}
        </p>
      ) : null}
      {fragment?.commentary ? <p className="commentary">{fragment.commentary}</p> : null}
      {fragment?.code ? (
        <div data-testid="fragment-code">
          <CodeView code={fragment.code} filePath={fragment.file_path || 'fragment'} />
        </div>
      ) : status === 'idle' ? (
        <p className="empty">Attach some lines on the left, describe a change, and press Send.</p>
      ) : null}
      {usage ? (
        <p className="usage">
          {usage.inputTokens} input · {usage.outputTokens} output tokens
        </p>
      ) : null}
    </section>
  );
}
