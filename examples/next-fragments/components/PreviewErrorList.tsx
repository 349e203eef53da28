'use client';

import type { PreviewRuntimeError } from '@fragmentkit/react';

interface PreviewErrorListProps {
  errors: readonly PreviewRuntimeError[];
  /** Attaches the error with the code around it and asks the model to fix it. */
  onFix: (error: PreviewRuntimeError) => void;
  disabled: boolean;
}

/** What the preview reported, newest first, each with a "Fix" that turns it into a chat turn. */
export function PreviewErrorList({ errors, onFix, disabled }: PreviewErrorListProps) {
  if (errors.length === 0) return null;
  const newestFirst = [...errors].reverse();
  return (
    <section className="preview-errors" aria-label="Preview errors" data-testid="preview-errors">
      <ol>
        {newestFirst.map((error, index) => {
          const frame = error.frames.find((candidate) => candidate.inApp);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: errors are only ever appended
            <li key={errors.length - index} data-kind={error.kind}>
              <div>
                <strong>
                  {error.name}: {error.message}
                </strong>
                {frame?.line !== undefined ? (
                  <span className="preview-error-where">
                    {' '}
                    {frame.function ? `in ${frame.function} ` : ''}at {frame.file}:{frame.line}
                  </span>
                ) : null}
              </div>
              <button type="button" className="button button-primary" disabled={disabled} onClick={() => onFix(error)}>
                Fix
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
