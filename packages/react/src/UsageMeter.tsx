import type { Cost, Usage } from '@fragmentkit/core';

/**
 * Props of {@link UsageMeter}.
 *
 * @example
 * ```ts
 * const props: UsageMeterProps = { usage: { inputTokens: 1200, outputTokens: 340 }, model: 'gpt-4o' };
 * ```
 */
export interface UsageMeterProps {
  /** Token usage of an answer (a chat message's `usage`). Nothing renders without it. */
  usage: Usage | undefined;
  /** Its cost, when prices are known (a chat message's `cost`). */
  cost?: Cost;
  /** The model that answered, e.g. `anthropic/claude-sonnet`. */
  model?: string;
  className?: string;
}

// A fixed locale, so server and browser render the same text.
const tokens = new Intl.NumberFormat('en-US');

/**
 * Formats a dollar amount for people: cents for cents, more digits for fractions of a cent.
 *
 * @example
 * ```ts
 * import { formatUsd } from '@fragmentkit/react';
 * formatUsd(1.5); // '$1.50'
 * formatUsd(0.00042); // '$0.00042'
 * ```
 */
export function formatUsd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount >= 0.01) return `$${amount.toFixed(2)}`;
  return `$${amount.toPrecision(2).replace(/0+$/, '')}`;
}

/**
 * One line of token usage and cost of an answer: `1,200 in · 340 out · 12 cached · $0.0041`.
 *
 * @example
 * ```tsx
 * import { UsageMeter, useFragmentChat } from '@fragmentkit/react';
 *
 * function LastAnswerCost() {
 *   const { messages } = useFragmentChat();
 *   const last = messages[messages.length - 1];
 *   return <UsageMeter usage={last?.usage} cost={last?.cost} model={last?.answeredBy?.model} />;
 * }
 * ```
 */
export function UsageMeter({ usage, cost, model, className }: UsageMeterProps) {
  if (!usage) return null;
  const parts = [`${tokens.format(usage.inputTokens)} in`, `${tokens.format(usage.outputTokens)} out`];
  if (usage.cachedInputTokens) parts.push(`${tokens.format(usage.cachedInputTokens)} cached`);
  if (cost) parts.push(formatUsd(cost.totalUsd));
  return (
    <p className={className ? `fk-usage ${className}` : 'fk-usage'}>
      {model && <span className="fk-usage-model">{model} </span>}
      <span className="fk-usage-figures">{parts.join(' · ')}</span>
    </p>
  );
}
