import { FragmentkitError } from '../errors.js';
import type { ModelRequest } from '../providers/types.js';

/**
 * What identifies a model answer for {@link responseCacheKey}: the target (provider and model
 * id), the request, and any further parameter that changes the answer (`topP`, stop
 * sequences, a response format, ...) as an extra JSON-compatible field.
 *
 * @example
 * ```ts
 * import type { ResponseCacheKeyInput } from '@fragmentkit/core';
 *
 * const input: ResponseCacheKeyInput = { provider: model.provider, model: model.modelId, ...request, topP: 0.9 };
 * ```
 */
export interface ResponseCacheKeyInput extends Omit<ModelRequest, 'signal'> {
  provider: string;
  model: string;
  /** Ignored: cancelling a request does not change its answer. */
  signal?: AbortSignal;
  [parameter: string]: unknown;
}

/** Part of the hashed text, so a change to what the key covers never reuses old entries. */
const keyVersion = 1;

/**
 * The cache key of a model answer: the SHA-256 (hex, via `crypto.subtle`, so it runs in Node,
 * browsers and edge runtimes) of a canonical JSON text of everything in `input` but `signal`.
 *
 * Only normalisations that cannot change the answer are applied:
 * - object keys are sorted, at every depth, so key order never matters;
 * - fields that are `undefined` are dropped, so `{ temperature: undefined }` is the same as
 *   leaving it out (`null` is kept and differs);
 * - line endings in `system` and in message contents are unified to `\n`, as pasted code
 *   carries Windows or Unix line endings by accident of the editor, not by intent.
 *
 * Everything else is significant: whitespace (including trailing whitespace, which changes
 * the tokens the model sees), message order and roles, line endings inside other parameters
 * (a stop sequence of `\r\n` is not one of `\n`), and any difference of provider or model.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when `provider` or `model` is empty, or a value is
 * not JSON-compatible (a function, a `NaN`, a class instance such as a `Date`).
 *
 * @example
 * ```ts
 * import { responseCacheKey } from '@fragmentkit/core';
 *
 * const key = await responseCacheKey({ provider: model.provider, model: model.modelId, ...request });
 * const cached = await cache.get(key);
 * ```
 */
export async function responseCacheKey(input: ResponseCacheKeyInput): Promise<string> {
  const { signal: _ignored, provider, model, system, messages, ...parameters } = input;
  requireName(provider, 'provider');
  requireName(model, 'model');
  if (!Array.isArray(messages)) invalid('messages', 'must be an array of messages');
  const material = canonicalJson(
    {
      v: keyVersion,
      provider,
      model,
      system: typeof system === 'string' ? unifyLineEndings(system) : system,
      messages: messages.map((message) =>
        typeof message?.content === 'string' ? { ...message, content: unifyLineEndings(message.content) } : message,
      ),
      parameters,
    },
    'request',
  );
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function unifyLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function requireName(value: unknown, field: string): void {
  if (typeof value !== 'string' || value === '') invalid(field, 'must be a non-empty string');
}

function canonicalJson(value: unknown, path: string): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(path, `must be a finite number, not ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => (item === undefined ? 'null' : canonicalJson(item, `${path}[${index}]`))).join(',')}]`;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const fields = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], `${path}.${key}`)}`,
      );
    return `{${fields.join(',')}}`;
  }
  return invalid(path, `must be JSON-compatible, not ${describeValue(value)}`);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describeValue(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `an instance of ${value.constructor?.name ?? 'a class'}`;
  return `a ${typeof value}`;
}

function invalid(path: string, problem: string): never {
  throw new FragmentkitError('INVALID_REQUEST', `Cannot compute a response cache key: ${path} ${problem}.`, {
    details: { field: path },
  });
}
