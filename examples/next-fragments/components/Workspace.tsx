'use client';

import type { Fragment } from '@fragmentkit/core';
import { FragmentPreview, type PreviewRuntimeError } from '@fragmentkit/react';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { CodeEditor } from './CodeEditor';
import { PreviewErrorList } from './PreviewErrorList';

type View = 'code' | 'preview';

interface WorkspaceProps {
  /** The latest complete fragment (or the starter); its code is what "edited" compares with. */
  fragment: Fragment;
  /** The code in the editor: the fragment's, as the user edited it, or streaming in. */
  code: string;
  onCodeChange: (code: string) => void;
  streaming: boolean;
  view: View;
  onViewChange: (view: View) => void;
  onFix: (error: PreviewRuntimeError) => void;
  fixDisabled: boolean;
  /** Extra header actions, e.g. the share button. */
  actions?: ReactNode;
}

/** Waits for typing to pause before the preview recompiles. */
function useSettled<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** The code editor and the live preview of it, as tabs, with the preview's errors below. */
export function Workspace(props: WorkspaceProps) {
  const { fragment, code, onCodeChange, streaming, view, onViewChange, onFix, fixDisabled, actions } = props;
  const [errors, setErrors] = useState<PreviewRuntimeError[]>([]);
  // Typing recompiles once it pauses; a new answer (or the code as it came) shows at once.
  const settledCode = useSettled(code, 400);
  const previewCode = streaming || code === fragment.code ? fragment.code : settledCode;
  const preview = useMemo(
    () => ({ template: fragment.template, file_path: fragment.file_path, title: fragment.title, code: previewCode }),
    [fragment.template, fragment.file_path, fragment.title, previewCode],
  );
  const onRuntimeError = useCallback((error: PreviewRuntimeError) => setErrors((list) => [...list, error]), []);
  // Earlier errors belong to earlier code.
  useEffect(() => {
    if (previewCode !== undefined) setErrors([]);
  }, [previewCode]);
  const edited = !streaming && code !== fragment.code;

  return (
    <section className="workspace" aria-label="Fragment">
      <header className="workspace-header">
        <div className="tabs" role="tablist" aria-label="Fragment view">
          {(['code', 'preview'] as const).map((candidate) => (
            <button
              key={candidate}
              type="button"
              role="tab"
              id={`tab-${candidate}`}
              aria-controls={`panel-${candidate}`}
              aria-selected={view === candidate}
              onClick={() => onViewChange(candidate)}
            >
              {candidate === 'code' ? 'Code' : 'Preview'}
              {candidate === 'preview' && errors.length > 0 ? (
                <span className="tab-badge">
                  {errors.length}
                  <span className="visually-hidden"> errors</span>
                </span>
              ) : null}
            </button>
          ))}
        </div>
        <h2 className="workspace-title">{fragment.title}</h2>
        {edited ? (
          <span className="badge" data-testid="edited-marker">
            edited
          </span>
        ) : null}
        {streaming ? <span className="badge badge-live">streaming</span> : null}
        <div className="workspace-actions">{actions}</div>
      </header>
      <div id="panel-code" role="tabpanel" aria-labelledby="tab-code" hidden={view !== 'code'} className="panel">
        <CodeEditor code={code} filePath={fragment.file_path} onChange={onCodeChange} readOnly={streaming} />
      </div>
      {/* Mounted while the code is shown too, so its errors arrive without opening the tab. */}
      <div
        id="panel-preview"
        role="tabpanel"
        aria-labelledby="tab-preview"
        hidden={view !== 'preview'}
        className="panel"
      >
        {/* Errors are listed below, each with a Fix button, instead of the preview's own error line. */}
        <FragmentPreview fragment={preview} onRuntimeError={onRuntimeError} showErrors={false} className="preview" />
      </div>
      <PreviewErrorList errors={errors} onFix={onFix} disabled={fixDisabled} />
    </section>
  );
}
