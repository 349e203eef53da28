import { FragmentkitError } from '../errors.js';
import { renderAttachment, toDisplayPath } from '../prompt/renderAttachment.js';
import type { AttachmentReport } from '../prompt/types.js';
import { estimateTokenizer, type Tokenizer } from '../tokens/tokenizer.js';
import type { Attachment, LineRange } from './attachment.js';

/** Options for {@link budgetAttachments}. */
export interface BudgetAttachmentsOptions {
  /** Counts the tokens of each rendered snippet. Defaults to {@link estimateTokenizer}. */
  tokenizer?: Tokenizer;
  /** Most tokens one rendered snippet may take; longer ones lose their last lines. Default 4000. */
  maxTokensPerAttachment?: number;
  /** Most tokens all rendered snippets together may take. Default 16000. */
  maxTotalTokens?: number;
}

/** An attachment that made it into the prompt, whole or cut to its first lines. */
export interface BudgetedAttachment {
  attachment: Attachment;
  /** The lines that go into the prompt: all of them, or the leading whole lines that fit. */
  text: string;
  /** The block as it goes into the prompt (see {@link renderAttachment}), note included. */
  rendered: string;
  /** Tokens of `rendered`, counted with the budget's tokenizer. */
  tokens: number;
  truncated: boolean;
  /** The lines left out, when truncated. */
  omitted?: LineRange;
}

/** The result of {@link budgetAttachments}. */
export interface AttachmentBudget {
  /** Attachments in the prompt, in input order, whole or truncated; duplicates appear once. */
  included: BudgetedAttachment[];
  /** The members of `included` that lost lines. */
  truncated: BudgetedAttachment[];
  /** Attachments left out entirely, in input order. */
  dropped: Attachment[];
  /** Sum of `tokens` over `included`. */
  totalTokens: number;
  /**
   * One report per input attachment, in input order. A repeated id reports the fate of its
   * first occurrence with 0 tokens, so the reports' tokens add up to `totalTokens`.
   */
  reports: AttachmentReport[];
}

const defaultMaxTokensPerAttachment = 4000;
const defaultMaxTotalTokens = 16000;

/**
 * Fits attachments into a token budget, in order. A snippet over the per-snippet cap keeps the
 * first whole lines that fit, followed by a note naming the lines left out, e.g.
 * `[fragmentkit: lines 120-300 of src/App.tsx omitted: over the 4000-token budget for one snippet]`.
 * Once the total cap runs low, the next snippet is cut to what remains, or dropped when not even
 * its first line fits. Lines are never split. Token counts are those of the rendered blocks, so
 * the reports are exact for the chosen tokenizer.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when a cap is negative or not a number.
 *
 * @example
 * ```ts
 * import { budgetAttachments } from '@fragmentkit/core';
 *
 * const budget = budgetAttachments(attachments, { maxTotalTokens: 8000 });
 * for (const { attachment, omitted } of budget.truncated) {
 *   console.log(`${attachment.filePath}: lines ${omitted?.startLine}-${omitted?.endLine} left out`);
 * }
 * ```
 */
export function budgetAttachments(
  attachments: readonly Attachment[],
  options: BudgetAttachmentsOptions = {},
): AttachmentBudget {
  const tokenizer = options.tokenizer ?? estimateTokenizer;
  const maxPerAttachment = readCap(
    'maxTokensPerAttachment',
    options.maxTokensPerAttachment,
    defaultMaxTokensPerAttachment,
  );
  const maxTotal = readCap('maxTotalTokens', options.maxTotalTokens, defaultMaxTotalTokens);

  const budget: AttachmentBudget = { included: [], truncated: [], dropped: [], totalTokens: 0, reports: [] };
  const reportsById = new Map<string, AttachmentReport>();

  for (const attachment of attachments) {
    const earlier = reportsById.get(attachment.id);
    if (earlier) {
      budget.reports.push({ ...earlier, tokens: 0 });
      continue;
    }
    const remaining = maxTotal - budget.totalTokens;
    const perAttachmentBinds = maxPerAttachment <= remaining;
    const reason = perAttachmentBinds
      ? `over the ${maxPerAttachment}-token budget for one snippet`
      : `the ${maxTotal}-token budget for attached code ran out`;
    const placed = place(attachment, Math.min(maxPerAttachment, remaining), reason, tokenizer);

    const report: AttachmentReport = {
      id: attachment.id,
      filePath: attachment.filePath,
      range: { startLine: attachment.range.startLine, endLine: attachment.range.endLine },
      tokens: placed ? placed.tokens : 0,
      truncated: placed?.truncated ?? false,
      dropped: placed === undefined,
      ...(placed?.omitted ? { omitted: placed.omitted } : {}),
    };
    reportsById.set(attachment.id, report);
    budget.reports.push(report);
    if (!placed) {
      budget.dropped.push(attachment);
      continue;
    }
    budget.included.push(placed);
    if (placed.truncated) budget.truncated.push(placed);
    budget.totalTokens += placed.tokens;
  }
  return budget;
}

function readCap(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new FragmentkitError('INVALID_REQUEST', `${name} must be a number >= 0, got ${String(value)}.`, {
      details: { [name]: value },
    });
  }
  return value;
}

/** The attachment whole, else its longest run of leading lines that fits, else undefined. */
function place(
  attachment: Attachment,
  limit: number,
  reason: string,
  tokenizer: Tokenizer,
): BudgetedAttachment | undefined {
  const rendered = renderAttachment(attachment);
  const tokens = tokenizer.count(rendered);
  if (tokens <= limit) return { attachment, text: attachment.text, rendered, tokens, truncated: false };

  const lines = attachment.text.split('\n');
  const { startLine } = attachment.range;
  const lastLine = startLine + lines.length - 1;
  const attempt = (kept: number) => {
    const text = lines.slice(0, kept).join('\n');
    const omitted = { startLine: startLine + kept, endLine: lastLine };
    const note = `[fragmentkit: lines ${omitted.startLine}-${omitted.endLine} of ${toDisplayPath(attachment.filePath)} omitted: ${reason}]`;
    const block = renderAttachment(attachment, text, note);
    return { attachment, text, rendered: block, tokens: tokenizer.count(block), truncated: true, omitted };
  };

  // More lines never cost fewer tokens, so the longest prefix that fits is found by bisection.
  let best: BudgetedAttachment | undefined;
  let low = 1;
  let high = lines.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const candidate = attempt(middle);
    if (candidate.tokens <= limit) {
      best = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}
