import type { PromptReport } from '@fragmentkit/core';
import { lineRangeLabel } from './lineRangeLabel.js';

/**
 * Share of the context budget at which the budget bar turns to `warning` and `critical`.
 *
 * @example
 * ```ts
 * import { contextBudgetThresholds } from '@fragmentkit/react';
 * contextBudgetThresholds.warning; // 0.65
 * ```
 */
export const contextBudgetThresholds = { warning: 0.65, critical: 0.85 } as const;

/**
 * Something the context budget cut from a prompt: an attachment, a prompt part (e.g. `history`)
 * or earlier turns, worded for people.
 *
 * @example
 * ```ts
 * const cut: ContextCut = { kind: 'attachment', action: 'truncated', label: 'src/a.ts: lines 41–80 left out' };
 * ```
 */
export interface ContextCut {
  kind: 'attachment' | 'part' | 'history';
  action: 'truncated' | 'dropped';
  label: string;
}

/**
 * How full the context budget of a prompt is, and what was cut to fit it.
 *
 * @example
 * ```ts
 * const budget: ContextBudgetSummary | null = contextBudgetOf(chat.meta?.prompt);
 * if (budget?.level === 'critical') warn('Detach something before sending more');
 * ```
 */
export interface ContextBudgetSummary {
  usedTokens: number;
  /** The tokens the prompt may take; `undefined` when the server did not know the model's window. */
  availableTokens: number | undefined;
  /** `usedTokens / availableTokens`, 0 when unknown. */
  fraction: number;
  level: 'ok' | 'warning' | 'critical';
  cuts: ContextCut[];
}

const partLabels: Record<string, string> = {
  system: 'System prompt',
  summary: 'Summary of earlier turns',
  history: 'Earlier turns',
  fragment: 'Latest fragment',
  attachments: 'Attached context',
  input: 'Your request',
};

/**
 * Reads a prompt report (the `meta.prompt` of a chat answer) into a budget summary: fill level
 * (warning at 65 %, critical at 85 %) and exactly what was truncated or dropped.
 *
 * @example
 * ```ts
 * import { contextBudgetOf } from '@fragmentkit/react';
 * const budget = contextBudgetOf(report);
 * budget?.cuts.map((cut) => cut.label); // ['src/a.ts: lines 41–80 left out', 'src/b.ts lines 1–2: dropped']
 * ```
 */
export function contextBudgetOf(report: PromptReport | undefined): ContextBudgetSummary | null {
  if (!report) return null;
  const availableTokens = report.budget?.availableTokens;
  const fraction = availableTokens ? report.totalTokens / availableTokens : 0;
  const level =
    fraction >= contextBudgetThresholds.critical
      ? 'critical'
      : fraction >= contextBudgetThresholds.warning
        ? 'warning'
        : 'ok';
  const cuts: ContextCut[] = [];
  for (const attachment of report.attachments) {
    const where = `${attachment.filePath} ${lineRangeLabel(attachment.range)}`;
    if (attachment.dropped) cuts.push({ kind: 'attachment', action: 'dropped', label: `${where}: dropped` });
    else if (attachment.truncated) {
      const omitted = attachment.omitted ? `${lineRangeLabel(attachment.omitted)} left out` : 'truncated';
      cuts.push({ kind: 'attachment', action: 'truncated', label: `${where}: ${omitted}` });
    }
  }
  for (const part of report.parts) {
    if (part.name === 'attachments') continue;
    const name = partLabels[part.name] ?? part.name;
    if (part.dropped) cuts.push({ kind: 'part', action: 'dropped', label: `${name}: dropped` });
    else if (part.truncated) cuts.push({ kind: 'part', action: 'truncated', label: `${name}: truncated` });
  }
  const droppedTurns = report.history?.droppedTurns ?? 0;
  if (droppedTurns > 0) {
    cuts.push({
      kind: 'history',
      action: 'dropped',
      label: `${droppedTurns} earlier ${droppedTurns === 1 ? 'turn' : 'turns'} left out`,
    });
  }
  return { usedTokens: report.totalTokens, availableTokens, fraction, level, cuts };
}
