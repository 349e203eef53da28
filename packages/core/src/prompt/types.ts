/**
 * A provider-neutral chat message. The system prompt travels separately.
 *
 * @example
 * ```ts
 * const message: ModelMessage = { role: 'user', content: 'Make a counter app' };
 * ```
 */
export interface ModelMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** How one attachment fared in the context budget. */
export interface AttachmentReport {
  id: string;
  filePath: string;
  /** The range the user attached. */
  range: { startLine: number; endLine: number };
  /** Tokens it occupies in the prompt (0 when dropped). */
  tokens: number;
  /** Set when only part of the attachment fits: the whole lines that were left out. */
  omitted?: { startLine: number; endLine: number };
  truncated: boolean;
  dropped: boolean;
  /**
   * The file changed since it was attached (see `detectStale`): the model sees the old lines.
   * Always set by `buildPrompt`; optional so reports from older servers still read.
   */
  stale?: boolean;
  /**
   * Set when this attachment overlapped or touched another of the same file and went into the
   * prompt as part of the merged one with this id (see `mergeAttachments`); the other fields
   * then describe the merged attachment, with 0 tokens.
   */
  mergedInto?: string;
}

/**
 * The parts of a prompt, in the order the model reads them: the system prompt, the summary of
 * older turns, the recent turns, the latest fragment, the attached context and the input.
 *
 * @example
 * ```ts
 * const cut = report.parts.filter((part) => part.truncated || part.dropped).map((part): PromptPartName => part.name);
 * ```
 */
export type PromptPartName = 'system' | 'summary' | 'history' | 'fragment' | 'attachments' | 'input';

/** Token count of one part of the prompt and what the context budget did to it. */
export interface PromptPartReport {
  name: PromptPartName;
  tokens: number;
  /** Part of it was cut to fit the context window (a note in the prompt says what). */
  truncated?: boolean;
  /** It was left out entirely to fit the context window. */
  dropped?: boolean;
}

/**
 * What happened to the conversation's earlier turns.
 *
 * @example
 * ```ts
 * if (report.history?.droppedTurns) console.log(`${report.history.droppedTurns} turns did not fit`);
 * ```
 */
export interface HistoryReport {
  /** Earlier turns given. */
  turns: number;
  /** Turns sent as they were (their code replaced by references, but for the latest fragment). */
  verbatimTurns: number;
  /** Older turns folded into the summary. */
  summarizedTurns: number;
  /** Recent turns left out because the context window ran out. */
  droppedTurns: number;
  /**
   * Where the summary came from: a model (`createContextEngine`), the caller (`buildPrompt`'s
   * `summary`), the deterministic fallback, or none (no older turns, or it did not fit).
   */
  summary: 'none' | 'provided' | 'model' | 'fallback';
}

/**
 * What the model will see, in tokens: per part and per attachment. Sent to the browser in
 * the `meta` event so the UI can show exactly what was truncated, dropped or stale.
 *
 * @example
 * ```ts
 * const { report } = buildPrompt({ input: 'Add a reset button', attachments });
 * console.log(report.totalTokens, report.attachments.filter((a) => a.truncated));
 * ```
 */
export interface PromptReport {
  /** Name of the tokenizer that counted, e.g. `estimate` or `o200k_base`. */
  tokenizer: string;
  /** Sum of the parts' tokens. */
  totalTokens: number;
  parts: PromptPartReport[];
  attachments: AttachmentReport[];
  /**
   * Tokens of the stable prefix (system prompt and summary) a provider can cache between
   * requests. Always set by `buildPrompt`; optional so reports from older servers still read.
   */
  cacheablePrefixTokens?: number;
  history?: HistoryReport;
  /** The budget the prompt was fitted into, when the model's context window is known. */
  budget?: ContextBudgetReport;
  /** The provider's own count of the prompt's input tokens, when it was asked (see `createContextEngine`). */
  providerInputTokens?: number;
}

/**
 * The token budget of a request: the model's window less the answer and a safety margin.
 *
 * @example
 * ```ts
 * const free = report.budget ? report.budget.availableTokens - report.totalTokens : undefined;
 * ```
 */
export interface ContextBudgetReport {
  /** The model id the limits were looked up for, when they came from the model table. */
  model?: string;
  contextWindow: number;
  /** Kept free for the answer. */
  reservedOutputTokens: number;
  /** Kept free for counting error: min(1000, 2% of the window). */
  safetyMarginTokens: number;
  /** What the prompt may take: window - output - margin. */
  availableTokens: number;
}
