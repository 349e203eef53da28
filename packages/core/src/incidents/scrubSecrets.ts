const redacted = '[redacted]';

/** E-mail addresses; shared with message normalisation. */
export const emailPattern = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,24}\b/gi;

// Quantifiers are bounded or followed by nothing that can fail, so every pattern stays linear
// on long input.
const secretPatterns: ReadonlyArray<readonly [RegExp, string | ((match: string) => string)]> = [
  [/\bBearer\s+[\w.~+/-]{8,}=*/gi, `Bearer ${redacted}`],
  // OpenAI / Anthropic (`sk-`, `sk-proj-`, `sk-ant-`), Stripe, GitHub, Slack, AWS access key ids.
  [
    /\b(?:sk-[\w-]{16,}|[sr]k_(?:live|test)_\w{10,}|gh[pousr]_\w{20,}|github_pat_\w{20,}|xox[abprs]-[\w-]{10,})/g,
    redacted,
  ],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, redacted],
  // JSON Web Tokens: base64url header (`eyJ` is `{"`), payload and signature.
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, redacted],
  // `password=...`, `"apiKey": "..."`, `?token=...`: keep the name, drop the value. The value stops
  // at `:` and brackets so `file.js?token=x:1:200)` keeps its line and column.
  [
    /((?:api[_-]?key|secret|token|password|passwd|pwd|access[_-]?key|private[_-]?key|client[_-]?secret|auth|credentials?)["']?\s{0,3}[:=]\s{0,3}["']?)[^\s"'&,;:()<>[\]{}\\]+/gi,
    `$1${redacted}`,
  ],
  [emailPattern, '[email]'],
  [/\b[0-9a-f]{32,}\b/gi, redacted],
  // Long base64 runs that mix digits and both cases look like keys; identifiers and paths rarely do.
  [
    /[A-Za-z0-9+_-]{32,}={0,2}/g,
    (match) => (/\d/.test(match) && /[A-Z]/.test(match) && /[a-z]/.test(match) ? redacted : match),
  ],
];

/**
 * Redacts what looks like a credential or a personal address in free text: API keys (`sk-...`,
 * `ghp_...`, AWS key ids), `Bearer` tokens, JWTs, `password=`/`token=` values, long hex or base64
 * secrets and e-mail addresses. The reporter runs it on messages, stack text, tags and extra
 * data before anything leaves the process.
 *
 * @example
 * ```ts
 * import { scrubSecrets } from '@fragmentkit/core';
 *
 * scrubSecrets('401 for ana@example.com with Authorization: Bearer sk-proj-abc123def456ghi789jkl');
 * // '401 for [email] with Authorization: Bearer [redacted]'
 * ```
 */
export function scrubSecrets(text: string): string {
  let result = String(text);
  for (const [pattern, replacement] of secretPatterns) {
    result =
      typeof replacement === 'string' ? result.replace(pattern, replacement) : result.replace(pattern, replacement);
  }
  return result;
}
