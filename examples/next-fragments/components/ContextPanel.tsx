'use client';

import { detectStale, estimateTokens, type PromptReport, refreshAttachment } from '@fragmentkit/core';
import { AttachedContextPanel, useAttachments } from '@fragmentkit/react';
import { useMemo } from 'react';

/** The server's default budget for attached code (`budgetAttachments`' `maxTotalTokens`). */
const attachmentBudgetTokens = 16_000;

interface ContextPanelProps {
  /** The prompt report of the latest answer: which snippets were truncated or dropped. */
  report: PromptReport | undefined;
  /** The files as they read in the editor now, by path: snippets that no longer match are stale. */
  files: Readonly<Record<string, string>>;
}

/**
 * The attached snippets (review, remove, clear) with a bar of the tokens they take out of the
 * context budget. Staleness is judged here, against the editor, so an edit marks a snippet at
 * once rather than after the next answer.
 */
export function ContextPanel({ report, files }: ContextPanelProps) {
  const { attachments, remove, add } = useAttachments();
  const staleIds = useMemo(() => detectStale(attachments, files), [attachments, files]);
  const merged = useMemo<PromptReport>(() => {
    const answered = new Map(report?.attachments.map((entry) => [entry.id, entry]));
    const stale = new Set(staleIds);
    return {
      tokenizer: report?.tokenizer ?? 'estimate',
      totalTokens: report?.totalTokens ?? 0,
      parts: report?.parts ?? [],
      attachments: attachments.map((attachment) => ({
        ...(answered.get(attachment.id) ?? {
          id: attachment.id,
          filePath: attachment.filePath,
          range: attachment.range,
          tokens: 0,
          truncated: false,
          dropped: false,
        }),
        stale: stale.has(attachment.id),
      })),
    };
  }, [report, attachments, staleIds]);

  const usedTokens = attachments.reduce((sum, attachment) => sum + estimateTokens(attachment.text), 0);

  function refreshStale() {
    for (const id of staleIds) {
      const attachment = attachments.find((candidate) => candidate.id === id);
      const current = attachment && files[attachment.filePath];
      if (!attachment || current === undefined) continue;
      remove(id);
      add(refreshAttachment(attachment, current));
    }
  }

  return (
    <div className="context">
      <AttachedContextPanel
        report={merged}
        emptyText="Nothing attached. Select lines in the code and right-click (or press Ctrl+Shift+L) to attach them."
      />
      <div className="budget">
        <meter
          className="budget-bar"
          aria-label="Context budget used by attached code"
          min={0}
          max={attachmentBudgetTokens}
          low={attachmentBudgetTokens * 0.6}
          high={attachmentBudgetTokens * 0.9}
          optimum={0}
          value={usedTokens}
        />
        <span className="budget-label">
          ~{usedTokens.toLocaleString('en-US')} / {attachmentBudgetTokens.toLocaleString('en-US')} tokens
        </span>
        {staleIds.length > 0 ? (
          <button type="button" className="fk-button" onClick={refreshStale}>
            Update stale
          </button>
        ) : null}
      </div>
    </div>
  );
}
