import type { PromptReport } from '@fragmentkit/core';
import { contextBudgetOf, contextBudgetThresholds } from './contextBudget.js';

/**
 * Props of {@link ContextBudgetBar}.
 *
 * @example
 * ```ts
 * const props: ContextBudgetBarProps = { report: chat.meta?.prompt };
 * ```
 */
export interface ContextBudgetBarProps {
  /** The prompt report of the latest answer (`meta.prompt` of `useFragmentChat`). */
  report: PromptReport | undefined;
  className?: string;
}

const levelWords = { ok: '', warning: ' (nearly full)', critical: ' (almost no room left)' } as const;

/**
 * How full the model's context window was for the latest prompt, as a `<meter>` with
 * `data-level` `ok`, `warning` (65 %) or `critical` (85 %), followed by the list of what the
 * budget truncated or dropped. Renders nothing without a report.
 *
 * @example
 * ```tsx
 * import { ContextBudgetBar, useFragmentChat } from '@fragmentkit/react';
 *
 * function Budget() {
 *   const chat = useFragmentChat();
 *   return <ContextBudgetBar report={chat.meta?.prompt} />;
 * }
 * ```
 */
export function ContextBudgetBar({ report, className }: ContextBudgetBarProps) {
  const budget = contextBudgetOf(report);
  if (!budget) return null;
  const percent = Math.round(budget.fraction * 100);
  const summary =
    budget.availableTokens === undefined
      ? `${budget.usedTokens} tokens`
      : `${budget.usedTokens} of ${budget.availableTokens} tokens, ${percent}%${levelWords[budget.level]}`;
  return (
    <div className={className ? `fk-budget ${className}` : 'fk-budget'} data-level={budget.level}>
      <div className="fk-budget-summary">
        <span className="fk-budget-label">Context budget</span> <span className="fk-budget-value">{summary}</span>
      </div>
      {budget.availableTokens !== undefined && (
        <meter
          className="fk-budget-meter"
          aria-label={`Context budget: ${summary}`}
          min={0}
          max={budget.availableTokens}
          low={Math.round(budget.availableTokens * contextBudgetThresholds.warning)}
          high={Math.round(budget.availableTokens * contextBudgetThresholds.critical)}
          optimum={0}
          value={Math.min(budget.usedTokens, budget.availableTokens)}
        />
      )}
      {budget.cuts.length > 0 && (
        <ul className="fk-budget-cuts" aria-label="Cut to fit the context budget">
          {budget.cuts.map((cut) => (
            <li key={cut.label} className="fk-budget-cut" data-action={cut.action}>
              {cut.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
