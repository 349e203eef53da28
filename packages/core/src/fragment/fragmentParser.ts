import { FragmentkitError } from '../errors.js';
import { PartialJsonParser } from './partialJson.js';
import { type Fragment, fragmentSchema, type PartialFragment } from './schema.js';

/**
 * Turns a model's streamed answer into fragments: partial ones while it arrives, a validated one
 * at the end. Create one per answer.
 */
export interface FragmentParser {
  /**
   * Adds the next piece of the answer. Returns the fragment so far when it changed since the
   * last push (not validated: any field may still be missing), otherwise `undefined`.
   */
  push(delta: string): PartialFragment | undefined;
  /**
   * Validates the whole answer against {@link fragmentSchema} and returns the fragment.
   *
   * @throws {FragmentkitError} `INVALID_FRAGMENT` when the answer holds no complete JSON object
   * or the object does not match the schema; `details.issues` lists the zod issues.
   */
  finish(): Fragment;
  /** Everything pushed so far. */
  readonly text: string;
}

/**
 * Creates a {@link FragmentParser}. Models are asked for a bare JSON object, but some wrap it in
 * a ```` ```json ```` fence or say something first, so parsing starts at the first `{` and
 * whatever follows the closing `}` is ignored.
 *
 * @example
 * ```ts
 * import { createFragmentParser } from '@fragmentkit/core';
 *
 * const parser = createFragmentParser();
 * for await (const delta of textDeltas) {
 *   const partial = parser.push(delta);
 *   if (partial) render(partial);
 * }
 * const fragment = parser.finish(); // throws INVALID_FRAGMENT when the answer is not a fragment
 * ```
 */
export function createFragmentParser(): FragmentParser {
  let text = '';
  // Created at the first `{`; from then on every delta is parsed once, where it lands.
  let json: PartialJsonParser | undefined;
  let shownVersion = 0;

  return {
    get text() {
      return text;
    },

    push(delta) {
      text += delta;
      if (!json) {
        const start = text.indexOf('{', text.length - delta.length);
        if (start === -1) return undefined;
        json = new PartialJsonParser();
        json.write(text.slice(start));
      } else {
        json.write(delta);
      }
      if (json.version === shownVersion) return undefined;
      const result = json.result();
      if (result.state === 'invalid' || !isRecord(result.value)) return undefined;
      shownVersion = json.version;
      return result.value as PartialFragment;
    },

    finish() {
      if (!json) throw invalidFragment('The model answered without a JSON object.', 'no-json', text);
      const result = json.result();
      if (result.state === 'partial') {
        throw invalidFragment('The model’s answer ended before its JSON object was complete.', 'incomplete', text);
      }
      if (result.state === 'invalid' || !isRecord(result.value)) {
        throw invalidFragment('The model’s answer is not valid JSON.', 'invalid-json', text);
      }
      const candidate: Record<string, unknown> = { ...result.value };
      if (!('has_additional_dependencies' in candidate) && Array.isArray(candidate.additional_dependencies)) {
        candidate.has_additional_dependencies = candidate.additional_dependencies.length > 0;
      }
      const parsed = fragmentSchema.safeParse(candidate);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)'))];
        throw new FragmentkitError(
          'INVALID_FRAGMENT',
          `The model’s answer does not match the fragment schema (fields: ${fields.join(', ')}).`,
          { details: { reason: 'schema', issues: parsed.error.issues } },
        );
      }
      return parsed.data;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidFragment(message: string, reason: string, text: string): FragmentkitError {
  // The end of the answer shows where it broke off, without echoing a huge answer into logs.
  return new FragmentkitError('INVALID_FRAGMENT', message, {
    details: { reason, length: text.length, tail: text.slice(-200) },
  });
}
