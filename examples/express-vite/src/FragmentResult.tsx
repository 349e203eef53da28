import {
  type ErrorBody,
  type Fragment,
  fragmentSchema,
  type MetaEvent,
  type PartialFragment,
  type Usage,
} from '@fragmentkit/core';
import { CodeView, FragmentPreview, type PreviewRuntimeError } from '@fragmentkit/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { PreviewErrors } from './PreviewErrors.js';
import { SandboxRunPanel } from './SandboxRunPanel.js';

interface FragmentResultProps {
  status: string;
  fragment: PartialFragment | undefined;
  meta: MetaEvent | undefined;
  usage: Usage | undefined;
  error: ErrorBody | undefined;
  notice: string | undefined;
  endpoint: string;
  /** Where the server runs fragments; `browser` hides the Run tab. */
  sandboxRuntime: string;
}

type ResultView = 'code' | 'preview' | 'run';

const viewLabels: Record<ResultView, string> = { code: 'Code', preview: 'Preview', run: 'Run' };

/** The fragment once it is complete and schema-valid: a half-streamed module is not worth running. */
function completeFragment(status: string, fragment: PartialFragment | undefined): Fragment | undefined {
  if (status !== 'done' || !fragment) return undefined;
  const parsed = fragmentSchema.safeParse(fragment);
  return parsed.success ? parsed.data : undefined;
}

/** The streamed fragment: title, commentary and code as they arrive, then its live preview. */
export function FragmentResult({
  status,
  fragment,
  meta,
  usage,
  error,
  notice,
  endpoint,
  sandboxRuntime,
}: FragmentResultProps) {
  const [view, setView] = useState<ResultView>('code');
  const [previewErrors, setPreviewErrors] = useState<PreviewRuntimeError[]>([]);
  const previewable = useMemo(() => completeFragment(status, fragment), [status, fragment]);
  const views: ResultView[] = sandboxRuntime === 'browser' ? ['code', 'preview'] : ['code', 'preview', 'run'];
  const onRuntimeError = useCallback((runtimeError: PreviewRuntimeError) => {
    setPreviewErrors((previous) => [...previous, runtimeError]);
  }, []);

  // A new fragment starts with a clean slate: earlier errors belong to earlier code.
  const previewCode = previewable?.code;
  useEffect(() => {
    if (previewCode !== undefined) setPreviewErrors([]);
  }, [previewCode]);

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
        <>
          <div className="tabs" role="tablist" aria-label="Fragment view">
            {views.map((candidate) => (
              <button
                key={candidate}
                type="button"
                role="tab"
                id={`result-tab-${candidate}`}
                aria-controls={`result-panel-${candidate}`}
                aria-selected={view === candidate}
                disabled={candidate !== 'code' && !previewable}
                onClick={() => setView(candidate)}
              >
                {viewLabels[candidate]}
              </button>
            ))}
          </div>
          <div
            id="result-panel-code"
            role="tabpanel"
            aria-labelledby="result-tab-code"
            hidden={view !== 'code'}
            data-testid="fragment-code"
          >
            <CodeView code={fragment.code} filePath={fragment.file_path || 'fragment'} />
          </div>
          {/* Mounted while the code is shown too, so its errors arrive without opening the tab. */}
          <div
            id="result-panel-preview"
            role="tabpanel"
            aria-labelledby="result-tab-preview"
            hidden={view !== 'preview'}
          >
            {previewable ? <FragmentPreview fragment={previewable} onRuntimeError={onRuntimeError} /> : null}
          </div>
          {views.includes('run') ? (
            <div id="result-panel-run" role="tabpanel" aria-labelledby="result-tab-run" hidden={view !== 'run'}>
              {previewable ? (
                <SandboxRunPanel
                  key={previewable.code}
                  endpoint={endpoint}
                  fragment={previewable}
                  conversationId={meta?.conversationId}
                  runtime={sandboxRuntime}
                />
              ) : null}
            </div>
          ) : null}
          <PreviewErrors errors={previewErrors} />
        </>
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
