/**
 * Token usage of one model call, normalised across providers.
 *
 * @example
 * ```ts
 * const usage: Usage = { inputTokens: 1200, outputTokens: 340 };
 * ```
 */
export interface Usage {
  /** Input tokens billed at the normal rate (excluding cache reads and writes). */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteTokens?: number;
}
