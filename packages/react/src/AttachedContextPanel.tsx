import { type Attachment, type AttachmentReport, estimateTokens, type PromptReport } from '@fragmentkit/core';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ContextBudgetBar } from './ContextBudgetBar.js';
import { useOptionalFragmentkit } from './FragmentkitProvider.js';
import { lineRangeLabel } from './lineRangeLabel.js';
import type { StaleAttachments } from './staleAttachments.js';
import { useAttachments } from './useAttachments.js';
import { visuallyHidden } from './visuallyHidden.js';

/**
 * Props of {@link AttachedContextPanel}.
 *
 * @example
 * ```ts
 * const props: AttachedContextPanelProps = { report: chat.meta?.prompt, emptyText: 'Nothing attached yet.' };
 * ```
 */
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

const noStale: ReadonlyMap<string, () => void> = new Map();
const subscribeNothing = () => () => {};

/** Stale marks of open editors (see `@fragmentkit/react/monaco` and `/codemirror`), if any. */
function useStaleMarks(registry: StaleAttachments | undefined): ReadonlyMap<string, () => void> {
  return useSyncExternalStore(
    registry?.subscribe ?? subscribeNothing,
    registry ? registry.getSnapshot : () => noStale,
    () => noStale,
  );
}

function describe(attachment: Attachment): string {
  return `${attachment.filePath} ${lineRangeLabel(attachment.range)}`;
}

/** What changed between two lists, worded for a screen reader. */
function announcementFor(previous: readonly Attachment[], current: readonly Attachment[]): string | null {
  const currentIds = new Set(current.map((attachment) => attachment.id));
  const previousIds = new Set(previous.map((attachment) => attachment.id));
  let added = current.filter((attachment) => !previousIds.has(attachment.id));
  let removed = previous.filter((attachment) => !currentIds.has(attachment.id));
  // One out and one in of the same file in a single change is an editor moving or refreshing
  // a snippet, not the user attaching: saying so on every keystroke would drown the reader.
  if (added.length === 1 && removed.length === 1 && added[0]?.filePath === removed[0]?.filePath) {
    added = [];
    removed = [];
  }
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
 * tokens, a remove button each and "Clear all". Snippets an open editor changed since they were
 * attached are marked stale with a Refresh button; with a `report`, a budget bar shows how full
 * the context window is (warning at 65 %, critical at 85 %) and lists exactly what was
 * truncated or dropped. Everything works from the keyboard and changes are announced to screen
 * readers. Must be inside a `FragmentkitProvider`.
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
  const staleMarks = useStaleMarks(useOptionalFragmentkit()?.staleAttachments);
  const [announcement, setAnnouncement] = useState('');
  const previousRef = useRef(attachments);
  const panelRef = useRef<HTMLElement>(null);
  /** Position of the snippet just removed from here, so focus does not fall back to the page. */
  const removedIndexRef = useRef<number | null>(null);
  /** File of the snippet just refreshed: refreshing re-attaches it, so its row (and focus) is new. */
  const refreshedFileRef = useRef<string | null>(null);

  useEffect(() => {
    const message = announcementFor(previousRef.current, attachments);
    previousRef.current = attachments;
    if (message) setAnnouncement(message);
    const refreshedFile = refreshedFileRef.current;
    if (refreshedFile !== null) {
      refreshedFileRef.current = null;
      const rows = panelRef.current?.querySelectorAll<HTMLElement>('.fk-attachment') ?? [];
      const row = [...rows].reverse().find((candidate) => candidate.dataset.file === refreshedFile);
      (row?.querySelector<HTMLElement>('.fk-attachment-remove') ?? panelRef.current)?.focus();
    }
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
            const refresh = staleMarks.get(attachment.id);
            const stale = entry?.stale || refresh !== undefined;
            return (
              <li
                key={attachment.id}
                className="fk-attachment"
                data-file={attachment.filePath}
                data-dropped={entry?.dropped || undefined}
                data-truncated={entry?.truncated || undefined}
                data-stale={stale || undefined}
              >
                <span className="fk-attachment-path">{attachment.filePath}</span>
                <span className="fk-attachment-lines">{lineRangeLabel(attachment.range)}</span>
                {attachment.language && <span className="fk-attachment-language">{attachment.language}</span>}
                <span className="fk-attachment-tokens">~{tokens[index]} tokens</span>
                <BudgetMarker report={entry} />
                {stale && (
                  <span className="fk-attachment-marker" data-kind="stale">
                    stale: the file changed since it was attached
                  </span>
                )}
                {refresh && (
                  <button
                    type="button"
                    className="fk-button fk-attachment-refresh"
                    aria-label={`Refresh ${describe(attachment)}`}
                    onClick={() => {
                      refreshedFileRef.current = attachment.filePath;
                      refresh();
                      setAnnouncement(`Refreshed ${attachment.filePath}`);
                    }}
                  >
                    Refresh
                  </button>
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
      {report?.budget && <ContextBudgetBar report={report} />}
      <div aria-live="polite" aria-atomic="true" className="fk-visually-hidden" style={visuallyHidden}>
        {announcement}
      </div>
    </section>
  );
}
