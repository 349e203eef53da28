import { FragmentkitError } from '../errors.js';
import { toSingleLine } from '../prompt/dataBlock.js';
import { renderAttachment } from '../prompt/renderAttachment.js';
import type { AttachmentReport } from '../prompt/types.js';
import { fitLeadingLines, lineCount } from '../tokens/fitLeadingLines.js';
import { estimateTokenizer, type Tokenizer } from '../tokens/tokenizer.js';
import type { Attachment, LineRange } from './attachment.js';

/** Options for {@link budgetAttachments}. */
export interface BudgetAttachmentsOptions {
  /** Counts the tokens of each rendered attachment. Defaults to {@link estimateTokenizer}. */
  tokenizer?: Tokenizer;
  /** Most tokens one rendered attachment may take; longer ones lose their last lines. Default 4000. */
  maxTokensPerAttachment?: number;
  /** Most tokens all rendered attachments together may take. Default 16000. */
  maxTotalTokens?: number;
  /**
   * Tokens the model's context window has left for attached code, as `buildPrompt` works it
   * out. When lower than `maxTotalTokens` it is the binding limit, and notes say so.
   */
  contextWindowTokens?: number;
  /** Ids of attachments whose file changed since (see `detectStale`); their reports say `stale`. */
  staleIds?: Iterable<string>;
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
 * Fits attachments into a token budget, in order. An attachment over the per-attachment cap
 * keeps the first whole lines that fit, followed by a note naming the lines left out, e.g.
 * `[fragmentkit: lines 120-300 of src/App.tsx omitted: over the 4000-token budget for one snippet]`.
 * Once the total cap (or the context window) runs low, the next attachment is cut to what
 * remains, or dropped when not even its first line fits. Lines are never split. An attachment
 * that fits is counted as rendered; one that is cut is counted in pieces (label, runs of lines,
 * note) and only as far as the budget goes, so cutting a long attachment costs about one count
 * of the part that fits; for the default estimator that sum is never below the count of the
 * rendered block.
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
  const windowTokens = readCap('contextWindowTokens', options.contextWindowTokens, Number.POSITIVE_INFINITY);
  const totalLimit = Math.min(maxTotal, windowTokens);
  const totalReason =
    windowTokens < maxTotal
      ? "the model's context window ran out"
      : `the ${maxTotal}-token budget for attached code ran out`;
  const stale = new Set(options.staleIds ?? []);

  const budget: AttachmentBudget = { included: [], truncated: [], dropped: [], totalTokens: 0, reports: [] };
  const reportsById = new Map<string, AttachmentReport>();

  for (const attachment of attachments) {
    const earlier = reportsById.get(attachment.id);
    if (earlier) {
      budget.reports.push({ ...earlier, tokens: 0 });
      continue;
    }
    const remaining = totalLimit - budget.totalTokens;
    const perAttachmentBinds = maxPerAttachment <= remaining;
    const reason = perAttachmentBinds
      ? `over the ${maxPerAttachment}-token budget for one ${noun(attachment)}`
      : totalReason;
    const placed = place(attachment, Math.min(maxPerAttachment, remaining), reason, tokenizer);

    const report: AttachmentReport = {
      id: attachment.id,
      filePath: attachment.filePath,
      range: { startLine: attachment.range.startLine, endLine: attachment.range.endLine },
      tokens: placed ? placed.tokens : 0,
      truncated: placed?.truncated ?? false,
      dropped: placed === undefined,
      stale: stale.has(attachment.id),
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

function noun(attachment: Attachment): string {
  return attachment.kind === 'snippet' ? 'snippet' : attachment.kind === 'file' ? 'file' : 'error';
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
  // The frame is counted with an empty line for the code, and one token more for the line
  // numbers in the label, which grow with the lines kept.
  const frameTokens = tokenizer.count(renderAttachment(attachment, '')) + 1;
  // Once the budget is spent, the attachments left are dropped without reading their text.
  if (frameTokens >= limit) return undefined;
  const { startLine } = attachment.range;
  const note = (from: number, lastLine: number) =>
    `[fragmentkit: lines ${from}-${lastLine} of ${toSingleLine(attachment.filePath)} omitted: ${reason}]`;
  // Lines are only counted for a cut, the attached range gives the note's width until then.
  let lastLine: number | undefined;
  const lastLineOfText = () => {
    lastLine ??= startLine + lineCount(attachment.text) - 1;
    return lastLine;
  };
  const widest = Math.max(attachment.range.endLine, startLine + attachment.text.length);
  const fitted = fitLeadingLines({
    text: attachment.text,
    limit,
    tokenizer,
    frameTokens,
    noteTokens: tokenizer.count(note(widest, widest)) + 1,
    renderWhole: () => renderAttachment(attachment),
    renderPart: (keptText, kept) => renderAttachment(attachment, keptText, note(startLine + kept, lastLineOfText())),
  });
  if (!fitted) return undefined;
  const { rendered, tokens } = fitted;
  if (fitted.whole) return { attachment, text: attachment.text, rendered, tokens, truncated: false };
  const omitted = { startLine: startLine + fitted.kept, endLine: lastLineOfText() };
  return { attachment, text: fitted.keptText, rendered, tokens, truncated: true, omitted };
}
