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
  /** Set when only part of the snippet fits: the whole lines that were left out. */
  omitted?: { startLine: number; endLine: number };
  truncated: boolean;
  dropped: boolean;
}

/** Token count of one part of the prompt. */
export interface PromptPartReport {
  name: 'system' | 'history' | 'attachments' | 'input';
  tokens: number;
}

/**
 * What the model will see, in tokens: per part and per attachment. Sent to the browser in
 * the `meta` event so the UI can show exactly what was truncated or dropped.
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
  totalTokens: number;
  parts: PromptPartReport[];
  attachments: AttachmentReport[];
}
