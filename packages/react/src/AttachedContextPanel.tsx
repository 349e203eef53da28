import { type Attachment, type AttachmentReport, estimateTokens, type PromptReport } from '@fragmentkit/core';
import { useEffect, useRef, useState } from 'react';
import { lineRangeLabel } from './lineRangeLabel.js';
import { useAttachments } from './useAttachments.js';

/** Props of {@link AttachedContextPanel}. */
export interface AttachedContextPanelProps {
  /**
   * The prompt report of the latest answer (`meta.prompt` of `useFragmentChat`). When given,
   * snippets the context budget truncated or dropped, and those whose file changed since they
   * were attached (stale), are marked.
   */
  report?: PromptReport;
  className?: string;
  /** Shown when nothing is attached. */
  emptyText?: string;
}

const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
} as const;

function describe(attachment: Attachment): string {
  return `${attachment.filePath} ${lineRangeLabel(attachment.range)}`;
}

/** What changed between two lists, worded for a screen reader. */
function announcementFor(previous: readonly Attachment[], current: readonly Attachment[]): string | null {
  const currentIds = new Set(current.map((attachment) => attachment.id));
  const previousIds = new Set(previous.map((attachment) => attachment.id));
  const added = current.filter((attachment) => !previousIds.has(attachment.id));
  const removed = previous.filter((attachment) => !currentIds.has(attachment.id));
  if (current.length === 0 && removed.length > 1) return `Removed all ${removed.length} snippets`;
  const parts = [
    ...added.map((attachment) => `Attached ${describe(attachment)}`),
    ...removed.map((attachment) => `Removed ${describe(attachment)}`),
  ];
  return parts.length > 0 ? parts.join('. ') : null;
}

function BudgetMarker({ report }: { report: AttachmentReport | undefined }) {
  if (report?.dropped) {
    return (
      <span className="fk-attachment-marker" data-kind="dropped">
        dropped: did not fit the context budget
      </span>
    );
  }
  if (report?.truncated) {
    return (
      <span className="fk-attachment-marker" data-kind="truncated">
        {report.omitted ? `truncated: ${lineRangeLabel(report.omitted)} left out` : 'truncated'}
      </span>
    );
  }
  return null;
}

/**
 * Lists the attached snippets for review before sending: path, lines, language, estimated
 * tokens, a remove button each and "Clear all". Changes are announced to screen readers.
 * Must be inside a `FragmentkitProvider`.
 *
 * @example
 * ```tsx
 * import { AttachedContextPanel, useFragmentChat } from '@fragmentkit/react';
 *
 * function Sidebar() {
 *   const chat = useFragmentChat();
 *   return <AttachedContextPanel report={chat.meta?.prompt} />;
 * }
 * ```
 */
export function AttachedContextPanel({
  report,
  className,
  emptyText = 'No code attached. Select lines in a file and right-click to attach them.',
}: AttachedContextPanelProps) {
  const { attachments, remove, clear } = useAttachments();
  const [announcement, setAnnouncement] = useState('');
  const previousRef = useRef(attachments);
  const panelRef = useRef<HTMLElement>(null);
  /** Position of the snippet just removed from here, so focus does not fall back to the page. */
  const removedIndexRef = useRef<number | null>(null);

  useEffect(() => {
    const message = announcementFor(previousRef.current, attachments);
    previousRef.current = attachments;
    if (message) setAnnouncement(message);
    const removedIndex = removedIndexRef.current;
    if (removedIndex === null) return;
    removedIndexRef.current = null;
    const buttons = panelRef.current?.querySelectorAll<HTMLElement>('.fk-attachment-remove');
    const next = buttons?.[Math.min(removedIndex, buttons.length - 1)] ?? panelRef.current;
    next?.focus();
  }, [attachments]);

  const tokens = attachments.map((attachment) => estimateTokens(attachment.text));
  const totalTokens = tokens.reduce((sum, count) => sum + count, 0);
  const reports = new Map(report?.attachments.map((entry) => [entry.id, entry]));

  return (
    <section
      ref={panelRef}
      tabIndex={-1}
      className={className ? `fk-context-panel ${className}` : 'fk-context-panel'}
      aria-label="Attached context"
    >
      <div className="fk-context-header">
        <span className="fk-context-title">Attached context</span>
        {attachments.length > 0 && (
          <>
            <span className="fk-context-total">
              {attachments.length} {attachments.length === 1 ? 'snippet' : 'snippets'}, ~{totalTokens} tokens
            </span>
            <button
              type="button"
              className="fk-button fk-context-clear"
              onClick={() => {
                removedIndexRef.current = 0;
                clear();
              }}
            >
              Clear all
            </button>
          </>
        )}
      </div>
      {attachments.length === 0 ? (
        <p className="fk-context-empty">{emptyText}</p>
      ) : (
        <ul className="fk-context-list">
          {attachments.map((attachment, index) => {
            const entry = reports.get(attachment.id);
            return (
              <li
                key={attachment.id}
                className="fk-attachment"
                data-dropped={entry?.dropped || undefined}
                data-truncated={entry?.truncated || undefined}
                data-stale={entry?.stale || undefined}
              >
                <span className="fk-attachment-path">{attachment.filePath}</span>
                <span className="fk-attachment-lines">{lineRangeLabel(attachment.range)}</span>
                {attachment.language && <span className="fk-attachment-language">{attachment.language}</span>}
                <span className="fk-attachment-tokens">~{tokens[index]} tokens</span>
                <BudgetMarker report={entry} />
                {entry?.stale && (
                  <span className="fk-attachment-marker" data-kind="stale">
                    stale: the file changed since it was attached
                  </span>
                )}
                <button
                  type="button"
                  className="fk-button fk-attachment-remove"
                  aria-label={`Remove ${describe(attachment)}`}
                  onClick={() => {
                    removedIndexRef.current = index;
                    remove(attachment.id);
                  }}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div aria-live="polite" aria-atomic="true" className="fk-visually-hidden" style={visuallyHidden}>
        {announcement}
      </div>
    </section>
  );
}
