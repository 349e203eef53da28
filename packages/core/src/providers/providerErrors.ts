import {
  APIError as AnthropicAPIError,
  APIConnectionError as AnthropicConnectionError,
  APIConnectionTimeoutError as AnthropicConnectionTimeoutError,
  APIUserAbortError as AnthropicUserAbortError,
} from '@anthropic-ai/sdk';
import {
  APIError as OpenAIAPIError,
  APIConnectionError as OpenAIConnectionError,
  APIConnectionTimeoutError as OpenAIConnectionTimeoutError,
  APIUserAbortError as OpenAIUserAbortError,
} from 'openai';
import { FragmentkitError, isAbortError, toFragmentkitError } from '../errors.js';

/**
 * Options for {@link toProviderError}.
 *
 * @example
 * ```ts
 * const options: ProviderErrorOptions = { apiKey: process.env.OPENAI_API_KEY, now: () => clock.now() };
 * ```
 */
export interface ProviderErrorOptions {
  /** The key the request was made with; any occurrence in a provider message is redacted. */
  apiKey?: string;
  /** Clock used to turn an HTTP-date `retry-after` header into milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}

type SdkAPIError = AnthropicAPIError | OpenAIAPIError;

/** What the provider said about the failure, read from either SDK's error body. */
interface ProviderErrorBody {
  type: string | undefined;
  code: string | undefined;
  message: string;
  requestId: string | undefined;
}

const contextLengthPattern =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|exceeds? (the )?context limit|input length and `?max_tokens`? exceed/i;
const contentPolicyPattern = /content[_ ]policy|content[_ ]filter|safety system|responsible ai policy/i;
const secretPattern = /\b(sk-[A-Za-z0-9_*-]{8,}|gsk_[A-Za-z0-9]{8,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;

/**
 * Turns anything the Anthropic or OpenAI SDK throws into a {@link FragmentkitError} whose
 * `code`, `isRetryable`, `statusCode` and `details` a router can act on without reading
 * message text. 401/403 become `PROVIDER_AUTH`; 400/404/413/422 `PROVIDER_BAD_REQUEST` (with
 * `details.reason` `context_length` or `content_policy` when the provider says so); 408
 * `PROVIDER_TIMEOUT`; 429 `PROVIDER_RATE_LIMITED` (with `details.retryAfterMs`); 5xx, 529,
 * overload and connection failures `PROVIDER_UNAVAILABLE`; aborts `ABORTED`. Messages never
 * contain the API key.
 *
 * @example
 * ```ts
 * import { toProviderError } from '@fragmentkit/core/providers';
 *
 * try {
 *   await client.messages.create(body);
 * } catch (error) {
 *   const mapped = toProviderError(error, 'anthropic');
 *   if (mapped.code === 'PROVIDER_RATE_LIMITED') await sleep(Number(mapped.details?.retryAfterMs ?? 1000));
 * }
 * ```
 */
export function toProviderError(
  error: unknown,
  provider: string,
  options: ProviderErrorOptions = {},
): FragmentkitError {
  if (FragmentkitError.isInstance(error)) return error;
  if (error instanceof AnthropicUserAbortError || error instanceof OpenAIUserAbortError || isAbortError(error)) {
    return new FragmentkitError('ABORTED', `The request to ${provider} was aborted.`, {
      details: { provider },
      cause: error,
    });
  }
  if (error instanceof AnthropicConnectionTimeoutError || error instanceof OpenAIConnectionTimeoutError) {
    return new FragmentkitError(
      'PROVIDER_TIMEOUT',
      `${provider} did not answer in time. Retry, or use a provider that responds faster.`,
      { isRetryable: true, details: { provider }, cause: error },
    );
  }
  if (error instanceof AnthropicConnectionError || error instanceof OpenAIConnectionError) {
    const networkCode = findNetworkCode(error);
    const said = redact(networkCode ? `${error.message} ${networkCode}` : error.message, options.apiKey);
    return new FragmentkitError(
      'PROVIDER_UNAVAILABLE',
      `Could not connect to ${provider} (${said}). Check the base URL and the network, then retry.`,
      { isRetryable: true, details: { provider, ...(networkCode ? { networkCode } : {}) }, cause: error },
    );
  }
  if (isSdkAPIError(error)) return fromAPIError(error, provider, options);
  return toFragmentkitError(error);
}

/**
 * True for an error the provider itself reported (an HTTP error answer or an in-band `error`
 * event), as opposed to a broken connection or an abort.
 */
export function isProviderReportedError(error: unknown): boolean {
  return (
    isSdkAPIError(error) &&
    !(error instanceof AnthropicConnectionError) &&
    !(error instanceof OpenAIConnectionError) &&
    !(error instanceof AnthropicUserAbortError) &&
    !(error instanceof OpenAIUserAbortError)
  );
}

/** The system error code (`ECONNREFUSED`, `ENOTFOUND`, ...) buried in the `cause` chain of a failed fetch. */
function findNetworkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isSdkAPIError(error: unknown): error is SdkAPIError {
  return error instanceof AnthropicAPIError || error instanceof OpenAIAPIError;
}

function fromAPIError(error: SdkAPIError, provider: string, options: ProviderErrorOptions): FragmentkitError {
  const body = readErrorBody(error, options.apiKey);
  const status = error.status;
  const reason = badRequestReason(body);
  const retryAfterMs = readRetryAfterMs(error.headers, options.now ?? Date.now);
  const details: Record<string, unknown> = {
    provider,
    ...(body.type ? { type: body.type } : {}),
    ...(body.code ? { providerCode: body.code } : {}),
    providerMessage: body.message,
    ...(reason ? { reason } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(body.requestId ? { requestId: body.requestId } : {}),
  };
  const said = `${status ?? 'error'}${body.type ? ` ${body.type}` : ''}: ${body.message}`;
  const errorOptions = { details, statusCode: status, cause: error };

  switch (classify(status, body.type)) {
    case 'auth':
      return new FragmentkitError(
        'PROVIDER_AUTH',
        `${provider} rejected the credentials (${said}). Check the API key and its permissions for ${provider}.`,
        errorOptions,
      );
    case 'rate-limited':
      return new FragmentkitError(
        'PROVIDER_RATE_LIMITED',
        `${provider} is rate limiting requests (${said}). Retry ${retryAfterMs === undefined ? 'later' : `after ${Math.ceil(retryAfterMs / 1000)}s`} or lower the request rate.`,
        { ...errorOptions, isRetryable: true },
      );
    case 'timeout':
      return new FragmentkitError(
        'PROVIDER_TIMEOUT',
        `${provider} timed out (${said}). Retry, or use a provider that responds faster.`,
        { ...errorOptions, isRetryable: true },
      );
    case 'unavailable':
      return new FragmentkitError(
        'PROVIDER_UNAVAILABLE',
        `${provider} is unavailable or overloaded (${said}). Retry later or fall back to another provider.`,
        { ...errorOptions, isRetryable: true },
      );
    case 'bad-request':
      return new FragmentkitError('PROVIDER_BAD_REQUEST', badRequestMessage(provider, said, reason), errorOptions);
  }
}

type ErrorClass = 'auth' | 'rate-limited' | 'timeout' | 'unavailable' | 'bad-request';

function classify(status: number | undefined, type: string | undefined): ErrorClass {
  if (type === 'overloaded_error') return 'unavailable';
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limited';
  if (status === 408) return 'timeout';
  // 409 is a lock conflict upstream that both SDKs treat as worth retrying.
  if (status === 409 || (status !== undefined && status >= 500)) return 'unavailable';
  if (status !== undefined) return 'bad-request';
  return classifyInBandType(type);
}

/** An error sent inside a stream has no HTTP status of its own: its type says what it is. */
function classifyInBandType(type: string | undefined): ErrorClass {
  switch (type) {
    case 'authentication_error':
    case 'permission_error':
      return 'auth';
    case 'rate_limit_error':
    case 'rate_limit_exceeded':
      return 'rate-limited';
    case 'timeout_error':
      return 'timeout';
    case 'invalid_request_error':
    case 'not_found_error':
    case 'request_too_large':
      return 'bad-request';
    default:
      return 'unavailable';
  }
}

function badRequestReason(body: ProviderErrorBody): string | undefined {
  if (body.code === 'context_length_exceeded' || contextLengthPattern.test(body.message)) return 'context_length';
  if (body.code === 'content_policy_violation' || body.code === 'content_filter') return 'content_policy';
  if (contentPolicyPattern.test(body.message)) return 'content_policy';
  if (body.type === 'request_too_large') return 'request_too_large';
  return undefined;
}

function badRequestMessage(provider: string, said: string, reason: string | undefined): string {
  switch (reason) {
    case 'context_length':
      return `The prompt is too long for the ${provider} model's context window (${said}). Send fewer attachments or less history, or use a model with a larger context.`;
    case 'content_policy':
      return `${provider} refused the request under its content policy (${said}). Rephrase the request.`;
    case 'request_too_large':
      return `The request is too large for ${provider} (${said}). Send fewer or smaller attachments.`;
    default:
      return `${provider} rejected the request (${said}). Check the model id, the base URL and the request options.`;
  }
}

/**
 * Anthropic puts `{ type, message }` under `error` of the body; OpenAI's SDK already unwraps
 * the body to `{ message, type, code }`; some OpenAI-compatible servers send a bare string.
 */
function readErrorBody(error: SdkAPIError, apiKey: string | undefined): ProviderErrorBody {
  const requestId = error.requestID ?? undefined;
  if (typeof error.error === 'string') {
    return { type: undefined, code: undefined, message: redact(error.error, apiKey), requestId };
  }
  const outer = asRecord(error.error);
  const inner = asRecord(outer?.error) ?? outer;
  const message = typeof inner?.message === 'string' ? inner.message : stripStatus(error.message, error.status);
  return {
    type: typeof inner?.type === 'string' ? inner.type : undefined,
    code: typeof inner?.code === 'string' ? inner.code : undefined,
    message: redact(message, apiKey),
    requestId: requestId ?? (typeof outer?.request_id === 'string' ? outer.request_id : undefined),
  };
}

function stripStatus(message: string, status: number | undefined): string {
  return status !== undefined && message.startsWith(`${status} `) ? message.slice(`${status} `.length) : message;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function redact(text: string, apiKey: string | undefined): string {
  const withoutKey = apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  return withoutKey.replace(secretPattern, '[redacted]');
}

function readRetryAfterMs(headers: Headers | undefined, now: () => number): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && milliseconds.trim() !== '' && Number.isFinite(Number(milliseconds))) {
    return Math.max(0, Math.round(Number(milliseconds)));
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null || retryAfter.trim() === '') return undefined;
  if (Number.isFinite(Number(retryAfter))) return Math.max(0, Math.round(Number(retryAfter) * 1000));
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
