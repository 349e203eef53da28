import { useMemo } from 'react';
import { diffLines } from './diffLines.js';
import { visuallyHidden } from './visuallyHidden.js';

/**
 * A file `<DiffView>` shows: its path, unified diff and review status (from an agent task's
 * `result.files`, or any diff the host has).
 *
 * @example
 * ```ts
 * const file: DiffViewFile = { path: 'src/a.ts', diff: '@@ -1 +1 @@\n-a\n+b', status: 'pending' };
 * ```
 */
export interface DiffViewFile {
  path: string;
  diff: string;
  status?: 'pending' | 'accepted' | 'rejected';
}

/**
 * Props of {@link DiffView}.
 *
 * @example
 * ```ts
 * const props: DiffViewProps = { files, onAccept: (paths) => task.accept(paths), disabled: task.pending !== undefined };
 * ```
 */
export interface DiffViewProps {
  files: readonly DiffViewFile[];
  /** Accepts the files of `paths`, or every pending file when `paths` is omitted. Without it, no accept buttons. */
  onAccept?: (paths?: string[]) => void;
  /** Rejects the files of `paths`, or every pending file when `paths` is omitted. Without it, no reject buttons. */
  onReject?: (paths?: string[]) => void;
  /** Disables the buttons, e.g. while an accept is in flight. */
  disabled?: boolean;
  className?: string;
}

const signs = { add: '+', remove: '-', context: ' ' } as const;
const spoken = { add: 'added: ', remove: 'removed: ' } as const;

/**
 * Shows per-file unified diffs with Accept and Reject for each file and for all pending files.
 * Unstyled apart from `fk-` classes and `data-*` attributes (`data-kind` per line,
 * `data-status` per file); styles.css gives it a default theme. Added and removed lines are
 * announced as such to screen readers.
 *
 * @example
 * ```tsx
 * import { DiffView, useAgentTask } from '@fragmentkit/react';
 *
 * function Review() {
 *   const task = useAgentTask();
 *   const files = task.task?.result?.files ?? [];
 *   return <DiffView files={files} onAccept={task.accept} onReject={task.reject} disabled={task.pending !== undefined} />;
 * }
 * ```
 */
export function DiffView({ files, onAccept, onReject, disabled, className }: DiffViewProps) {
  const pending = files.filter((file) => (file.status ?? 'pending') === 'pending');
  const decides = onAccept !== undefined || onReject !== undefined;
  return (
    <section className={className ? `fk-diff-view ${className}` : 'fk-diff-view'} aria-label="Proposed changes">
      {decides && files.length > 1 && (
        <div className="fk-diff-actions">
          {onAccept && (
            <button
              type="button"
              className="fk-button fk-diff-accept-all"
              disabled={disabled || pending.length === 0}
              onClick={() => onAccept()}
            >
              Accept all
            </button>
          )}
          {onReject && (
            <button
              type="button"
              className="fk-button fk-diff-reject-all"
              disabled={disabled || pending.length === 0}
              onClick={() => onReject()}
            >
              Reject all
            </button>
          )}
        </div>
      )}
      {files.map((file) => (
        <DiffFile key={file.path} file={file} onAccept={onAccept} onReject={onReject} disabled={disabled} />
      ))}
    </section>
  );
}

function DiffFile({
  file,
  onAccept,
  onReject,
  disabled,
}: { file: DiffViewFile } & Pick<DiffViewProps, 'onAccept' | 'onReject' | 'disabled'>) {
  const lines = useMemo(() => diffLines(file.diff), [file.diff]);
  const status = file.status ?? 'pending';
  return (
    <article className="fk-diff-file" data-status={status} aria-label={file.path}>
      <header className="fk-diff-file-header">
        <span className="fk-diff-path">{file.path}</span>
        {status !== 'pending' && <span className="fk-diff-status">{status}</span>}
        {status === 'pending' && onAccept && (
          <button
            type="button"
            className="fk-button fk-diff-accept"
            disabled={disabled}
            aria-label={`Accept changes to ${file.path}`}
            onClick={() => onAccept([file.path])}
          >
            Accept
          </button>
        )}
        {status === 'pending' && onReject && (
          <button
            type="button"
            className="fk-button fk-diff-reject"
            disabled={disabled}
            aria-label={`Reject changes to ${file.path}`}
            onClick={() => onReject([file.path])}
          >
            Reject
          </button>
        )}
      </header>
      <pre className="fk-diff-code">
        {lines
          .filter((line) => line.kind !== 'file')
          .map((line, index) => (
            // Lines of a diff have no identity beyond their position.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <span key={index} className="fk-diff-line" data-kind={line.kind}>
              {(line.kind === 'add' || line.kind === 'remove') && (
                <span style={visuallyHidden}>{spoken[line.kind]}</span>
              )}
              {(line.kind === 'add' || line.kind === 'remove' || line.kind === 'context') && (
                <span className="fk-diff-sign" aria-hidden="true">
                  {signs[line.kind]}
                </span>
              )}
              {line.text}
              {'\n'}
            </span>
          ))}
      </pre>
    </article>
  );
}
