import type { Attachment } from '../attachments/attachment.js';
import type { AttachmentBudget, BudgetAttachmentsOptions } from '../attachments/budget.js';
import { FragmentkitError } from '../errors.js';
import type { ModelLimits } from '../tokens/modelLimits.js';
import { estimateTokenizer, type Tokenizer } from '../tokens/tokenizer.js';
import { attachedContextNoticeTokens, placeAttachedContext } from './attachedContext.js';
import { createCanary, renderCanaryInstruction } from './canary.js';
import { contextTooLargeError, resolveContextBudget } from './contextBudget.js';
import { type ConversationTurn, isTurnList, turnsFromMessages } from './conversationTurn.js';
import { summarizeTurnsWithoutModel } from './deterministicSummary.js';
import { placeLatestFragment } from './latestFragment.js';
import { type NumberedTurn, numberTurns, renderTurn } from './renderTurn.js';
import { placeSummary } from './summaryBlock.js';
import { buildSystemPrompt } from './systemPrompt.js';
import type { Template } from './templates.js';
import type { HistoryReport, ModelMessage, PromptPartReport, PromptReport } from './types.js';

/** Options for {@link buildPrompt}. */
export interface BuildPromptOptions {
  /** What the user typed. Never truncated. */
  input: string;
  /** Context the user attached, in the order to show it. Duplicates and overlapping ranges of a file are merged. */
  attachments?: Attachment[];
  /**
   * Earlier turns, oldest first: structured turns, or plain chat messages (assistant messages
   * holding a fragment as JSON are read as fragments, see `turnsFromMessages`).
   */
  history?: ModelMessage[] | ConversationTurn[];
  /** Turns sent as turns; older ones are summarised. Default 5. */
  keepTurns?: number;
  /**
   * Summary of every turn before the last `keepTurns`, e.g. from a cheap model (see
   * `createContextEngine`). Without it, older turns get a deterministic summary.
   */
  summary?: string;
  /** Id of the one template the model must use. */
  template?: string;
  /** Templates the model may choose from. Defaults to the built-in ones. */
  templates?: Template[];
  /** Replaces the built system prompt; `template` and `templates` then go unused. The summary and canary still follow it. */
  systemPrompt?: string;
  /** Counts tokens for the budget and the report. Defaults to {@link estimateTokenizer}. */
  tokenizer?: Tokenizer;
  /** Caps for the attached context; see {@link budgetAttachments}. */
  attachmentBudget?: Omit<BudgetAttachmentsOptions, 'tokenizer' | 'contextWindowTokens' | 'staleIds'>;
  /** Model id: its context window and output limit come from `modelLimits`. */
  model?: string;
  /** The model table. Defaults to `defaultModelLimits`. */
  modelLimits?: Readonly<Record<string, Readonly<ModelLimits>>>;
  /** The context window in tokens, for a model the table does not know (or to override it). */
  contextWindow?: number;
  /** Tokens kept free for the answer; see `resolveContextBudget`. */
  maxOutputTokens?: number;
  /** Current contents of the attached files by path; attachments that no longer match are reported `stale`. */
  currentFiles?: Readonly<Record<string, string>>;
  /**
   * The canary put in the system prompt (see `createCanary` and `detectCanaryLeak`). A fresh
   * one is made for every call unless one is given; `false` leaves it out.
   */
  canary?: string | false;
}

/** A prompt ready for a language model, with a token report of what it contains. */
export interface BuiltPrompt {
  /** The system prompt: the instructions, the summary of older turns, then the canary. */
  system: string;
  /**
   * Character offsets in `system` where a stable prefix ends (after the instructions, after the
   * summary). Pass them on as `ModelRequest.systemCacheBreakpoints` so providers with prompt
   * caching cache that prefix.
   */
  systemCacheBreakpoints: number[];
  /** Recent turns, then one user message with the latest fragment, the attached context and the input. */
  messages: ModelMessage[];
  report: PromptReport;
  budget: AttachmentBudget;
  /** The canary in `system`, to check the answer with `detectCanaryLeak`. */
  canary?: string;
  /** The answer's reserve when the context window is known: pass it as the request's `maxOutputTokens`. */
  maxOutputTokens?: number;
}

/** Turns `buildPrompt` sends as turns when `keepTurns` is not given. */
export const defaultKeepTurns = 5;
const segmentSeparator = '\n\n';

/**
 * Builds the system prompt and messages for one turn, fitted into the model's context window.
 *
 * The prompt is ordered for caching: the instructions and the summary of older turns lead the
 * system prompt (their ends are cache breakpoints), the per-request canary follows, then the
 * last `keepTurns` turns with their code replaced by references, then one user message with the
 * latest fragment in full, the attached context and the input.
 *
 * When the window is known (`model` or `contextWindow`), the answer's reserve and a safety margin
 * are set aside and parts are cut in this order when space runs out: the oldest recent turns
 * first, then the summary (its oldest lines), then the latest fragment, then the attachments
 * (cut on whole lines with a note, or listed as left out). The system prompt and the input are
 * never cut.
 *
 * @throws {FragmentkitError} `CONTEXT_TOO_LARGE` when the system prompt, the input and the list of
 * attachments alone do not fit; `details.overflowTokens` says by how much.
 * @throws {FragmentkitError} `INVALID_REQUEST` when the input is empty or only whitespace, or an
 * option is invalid.
 *
 * @example
 * ```ts
 * import { buildPrompt } from '@fragmentkit/core';
 *
 * const { system, systemCacheBreakpoints, messages, report } = buildPrompt({
 *   input: 'Add a reset button',
 *   attachments: [attachment],
 *   history: turns,
 *   model: 'claude-sonnet-4-5',
 * });
 * const stream = await model.stream({ system, systemCacheBreakpoints, messages });
 * ```
 */
export function buildPrompt(options: BuildPromptOptions): BuiltPrompt {
  const { input } = options;
  if (typeof input !== 'string' || input.trim() === '') {
    throw new FragmentkitError('INVALID_REQUEST', 'The input must not be empty.');
  }
  const keepTurns = options.keepTurns ?? defaultKeepTurns;
  if (!Number.isInteger(keepTurns) || keepTurns < 0) {
    throw new FragmentkitError('INVALID_REQUEST', `keepTurns must be an integer >= 0, got ${String(keepTurns)}.`);
  }
  const tokenizer = options.tokenizer ?? estimateTokenizer;
  const attachments = options.attachments ?? [];
  const instructions =
    options.systemPrompt ??
    buildSystemPrompt({
      ...(options.templates ? { templates: options.templates } : {}),
      ...(options.template !== undefined ? { template: options.template } : {}),
    });
  const canary = options.canary === false ? undefined : (options.canary ?? createCanary());
  const canaryInstruction = canary === undefined ? '' : renderCanaryInstruction(canary);

  const history = options.history ?? [];
  const turns = numberTurns(isTurnList(history) ? history : turnsFromMessages(history));
  const olderTurns = turns.slice(0, Math.max(0, turns.length - keepTurns));
  const recentTurns = turns.slice(olderTurns.length);
  const latestTurn = turns.findLast((turn) => turn.fragment !== undefined);
  const summarySource: HistoryReport['summary'] =
    olderTurns.length === 0 ? 'none' : options.summary === undefined ? 'fallback' : 'provided';
  const summary = olderTurns.length === 0 ? '' : (options.summary ?? summarizeTurnsWithoutModel(olderTurns));

  const budget = resolveContextBudget(options);
  const separatorTokens = tokenizer.count(segmentSeparator);
  const instructionTokens = countInstructions(tokenizer, instructions);
  const systemTokens =
    instructionTokens + (canary === undefined ? 0 : separatorTokens + tokenizer.count(canaryInstruction));
  const inputTokens = tokenizer.count(input);
  const noticeTokens = attachedContextNoticeTokens(attachments, tokenizer);
  if (budget && systemTokens + inputTokens + noticeTokens > budget.availableTokens) {
    throw contextTooLargeError(budget, {
      system: systemTokens,
      input: inputTokens,
      ...(noticeTokens > 0 ? { attachmentNotice: noticeTokens } : {}),
    });
  }
  let remaining = (budget?.availableTokens ?? Number.POSITIVE_INFINITY) - systemTokens - inputTokens;

  // Highest priority first: attachments, the latest fragment, the summary, recent turns newest first.
  const attached = placeAttachedContext(attachments, {
    tokenizer,
    caps: options.attachmentBudget,
    limit: remaining,
    currentFiles: options.currentFiles,
  });
  remaining -= attached.tokens;

  const fragment = latestTurn?.fragment
    ? placeLatestFragment(latestTurn.fragment, latestTurn.version, remaining, tokenizer)
    : { text: '', tokens: 0, truncated: false, dropped: false };
  remaining -= fragment.tokens;

  const placedSummary =
    summary === ''
      ? { text: '', tokens: 0, truncated: false, dropped: false }
      : placeSummary(summary, olderTurns.length, remaining - separatorTokens, tokenizer);
  const summaryTokens = placedSummary.text === '' ? 0 : placedSummary.tokens + separatorTokens;
  remaining -= summaryTokens;

  const recent = placeRecentTurns(recentTurns, latestTurn, remaining, tokenizer);

  const segments = [instructions, placedSummary.text].filter((segment) => segment !== '');
  const systemCacheBreakpoints: number[] = [];
  let offset = -segmentSeparator.length;
  for (const segment of segments) {
    offset += segmentSeparator.length + segment.length;
    systemCacheBreakpoints.push(offset);
  }
  if (canaryInstruction) segments.push(canaryInstruction);
  const system = segments.join(segmentSeparator);

  const messages: ModelMessage[] = [
    ...recent.messages,
    { role: 'user', content: recent.leadingNote + fragment.text + attached.text + input },
  ];
  const parts: PromptPartReport[] = [
    { name: 'system', tokens: systemTokens },
    { name: 'summary', tokens: summaryTokens, ...flags(placedSummary) },
    {
      name: 'history',
      tokens: recent.tokens,
      ...flags({ truncated: recent.dropped > 0, dropped: recent.dropped > 0 && recent.dropped === recentTurns.length }),
    },
    { name: 'fragment', tokens: fragment.tokens, ...flags(fragment) },
    {
      name: 'attachments',
      tokens: attached.tokens,
      ...flags({
        truncated: attached.budget.truncated.length > 0 || attached.budget.dropped.length > 0,
        dropped: attached.budget.dropped.length > 0 && attached.budget.included.length === 0,
      }),
    },
    { name: 'input', tokens: inputTokens },
  ];
  return {
    system,
    systemCacheBreakpoints,
    messages,
    budget: attached.budget,
    ...(canary === undefined ? {} : { canary }),
    ...(budget ? { maxOutputTokens: budget.reservedOutputTokens } : {}),
    report: {
      tokenizer: tokenizer.name,
      totalTokens: parts.reduce((sum, part) => sum + part.tokens, 0),
      parts,
      attachments: attached.reports,
      cacheablePrefixTokens: instructionTokens + summaryTokens,
      history: {
        turns: turns.length,
        verbatimTurns: recentTurns.length - recent.dropped,
        summarizedTurns: placedSummary.dropped ? 0 : olderTurns.length,
        droppedTurns: recent.dropped,
        summary: placedSummary.dropped ? 'none' : summarySource,
      },
      ...(budget ? { budget } : {}),
    },
  };
}

/** The instructions repeat on every request, so the last count is kept per tokenizer. */
const instructionCounts = new WeakMap<Tokenizer, { text: string; tokens: number }>();

function countInstructions(tokenizer: Tokenizer, text: string): number {
  const known = instructionCounts.get(tokenizer);
  if (known?.text === text) return known.tokens;
  const tokens = tokenizer.count(text);
  instructionCounts.set(tokenizer, { text, tokens });
  return tokens;
}

/** Only the flags that are set, so reports of untouched parts stay small. */
function flags(part: { truncated: boolean; dropped: boolean }): Pick<PromptPartReport, 'truncated' | 'dropped'> {
  return { ...(part.truncated ? { truncated: true } : {}), ...(part.dropped ? { dropped: true } : {}) };
}

interface PlacedTurns {
  messages: ModelMessage[];
  tokens: number;
  /** Recent turns left out, the oldest ones. */
  dropped: number;
  /** Said before the first message kept when turns were left out. */
  leadingNote: string;
}

/** The newest turns that fit `limit`, in order, with a note when older ones had to go. */
function placeRecentTurns(
  turns: readonly NumberedTurn[],
  latestTurn: NumberedTurn | undefined,
  limit: number,
  tokenizer: Tokenizer,
): PlacedTurns {
  const rendered = turns.map((turn) => {
    const messages = renderTurn(turn, turn === latestTurn);
    return { messages, tokens: tokenizer.count(messages[0].content) + tokenizer.count(messages[1].content) };
  });
  let kept = 0;
  let tokens = 0;
  while (kept < rendered.length && tokens + rendered[rendered.length - 1 - kept]!.tokens <= limit) {
    tokens += rendered[rendered.length - 1 - kept]!.tokens;
    kept++;
  }
  const dropped = rendered.length - kept;
  if (dropped === 0) return { messages: rendered.flatMap((turn) => turn.messages), tokens, dropped, leadingNote: '' };

  const note = (count: number) =>
    `[fragmentkit: ${count} earlier turn(s) left out: the model's context window ran out]${segmentSeparator}`;
  // The note must fit too: give up the oldest kept turns until it does.
  while (kept > 0 && tokens + tokenizer.count(note(rendered.length - kept)) > limit) {
    kept--;
    tokens -= rendered[rendered.length - 1 - kept]!.tokens;
  }
  const leftOut = rendered.length - kept;
  const leadingNote = tokens + tokenizer.count(note(leftOut)) <= limit ? note(leftOut) : '';
  const messages = rendered.slice(leftOut).flatMap((turn) => turn.messages);
  if (leadingNote && messages.length > 0) {
    messages[0] = { role: 'user', content: leadingNote + messages[0]!.content };
    return { messages, tokens: tokens + tokenizer.count(leadingNote), dropped: leftOut, leadingNote: '' };
  }
  return { messages, tokens: tokens + (leadingNote ? tokenizer.count(leadingNote) : 0), dropped: leftOut, leadingNote };
}
