import type { PreviewRuntimeError } from '@fragmentkit/react';

/**
 * What the preview reported, newest last, each with the frames in the fragment's own code:
 * the material for a "fix this" turn.
 */
export function PreviewErrors({ errors }: { errors: readonly PreviewRuntimeError[] }) {
  if (errors.length === 0) return null;
  return (
    <section className="preview-errors" aria-label="Preview errors" data-testid="preview-errors">
      <h3>Preview errors</h3>
      <ol>
        {errors.map((error, index) => {
          const frames = error.frames.filter((frame) => frame.inApp);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: errors are only ever appended
            <li key={index} data-kind={error.kind}>
              <strong>
                {error.name}: {error.message}
              </strong>{' '}
              <span className="preview-error-kind">({error.kind})</span>
              {frames.length > 0 ? (
                <ol className="preview-error-frames">
                  {frames.map((frame, frameIndex) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a frame is identified by its position
                    <li key={frameIndex} data-testid="preview-error-frame">
                      {frame.function ?? '(anonymous)'} at {frame.file}:{frame.line}
                      {frame.column === undefined ? '' : `:${frame.column}`}
                    </li>
                  ))}
                </ol>
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
