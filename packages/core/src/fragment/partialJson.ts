/**
 * The result of {@link parsePartialJson}: `complete` when the text is one whole JSON value,
 * `partial` when it is the beginning of one (the value is what is known so far, possibly
 * `undefined`), `invalid` when no JSON document starts like this.
 */
export type PartialJsonResult =
  | { state: 'complete' | 'partial'; value: unknown }
  | { state: 'invalid'; value: undefined };

/**
 * Parses a JSON document that may be cut off anywhere, as it arrives from a stream. Open
 * strings, arrays and objects are closed; whatever cannot be completed yet is left out: a key
 * without a value, a trailing comma, a literal or number cut short (`tru`, `nul`, `-`, `1.`,
 * `1e`), an escape cut short (`\`, `\u12`). Strings therefore only ever grow from one call to
 * the next. It never throws.
 *
 * It follows JSON strictly, with one leniency: raw control characters (such as line breaks) inside
 * strings are kept, because models put them in code strings.
 *
 * @example
 * ```ts
 * import { parsePartialJson } from '@fragmentkit/core';
 *
 * parsePartialJson('{"title": "Coun'); // { state: 'partial', value: { title: 'Coun' } }
 * parsePartialJson('{"n": [1, 2], "ok": tr'); // { state: 'partial', value: { n: [1, 2] } }
 * parsePartialJson('{"n": 1}'); // { state: 'complete', value: { n: 1 } }
 * parsePartialJson('{n: 1}'); // { state: 'invalid', value: undefined }
 * ```
 */
export function parsePartialJson(text: string): PartialJsonResult {
  const parser = new PartialJsonParser();
  parser.write(text);
  if (parser.end !== undefined && !isWhitespaceOnly(text, parser.end)) return invalidResult;
  return parser.result();
}

const invalidResult = { state: 'invalid', value: undefined } as const;

// What the parser expects or is inside of.
const VALUE = 0;
const AFTER_VALUE = 1;
const KEY = 2;
const COLON = 3;
const STRING = 4;
const NUMBER = 5;
const LITERAL = 6;
const DONE = 7;
const INVALID = 8;

// Where a number is, as a small state machine over the JSON number grammar.
const AFTER_MINUS = 0;
const AFTER_ZERO = 1;
const INTEGER = 2;
const AFTER_DOT = 3;
const FRACTION = 4;
const AFTER_E = 5;
const AFTER_EXPONENT_SIGN = 6;
const EXPONENT = 7;

/** Number states after which the digits so far form a whole number. */
const completeNumberStates = new Set([AFTER_ZERO, INTEGER, FRACTION, EXPONENT]);

interface Frame {
  container: unknown[] | Record<string, unknown>;
  /** In an object: the key of the value being read, or of the open container inside. */
  key: string | undefined;
}

const escapes: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const literals: Readonly<Record<string, readonly [string, unknown]>> = {
  t: ['true', true],
  f: ['false', false],
  n: ['null', null],
};

const none = Symbol('none');

/**
 * A JSON parser fed piece by piece. Each character is looked at once, so following a stream
 * costs time linear in its length; {@link PartialJsonParser.result} then builds the value known
 * so far, copying only the containers that are still open. Closed containers are shared between
 * results and must be treated as read-only.
 */
export class PartialJsonParser {
  /** Goes up whenever the value known so far changes, and only then. */
  version = 0;
  /** Offset just after the complete value, once there is one followed by more text. */
  end: number | undefined;

  private state = VALUE;
  private stack: Frame[] = [];
  private root: unknown = none;
  /** Right after `[` or `{`, where the closing bracket may directly follow. */
  private justOpened = false;
  private offset = 0;

  private stringIsKey = false;
  private stringValue = '';
  /** Whether `stringValue` ends with a high surrogate, tracked so the string is never re-read. */
  private stringEndsInHalfPair = false;
  /** An escape being read: `\` or `\u` plus up to three hex digits. */
  private escape = '';
  private numberText = '';
  private numberState = AFTER_MINUS;
  private literal: readonly [string, unknown] = ['', undefined];
  private literalLength = 0;

  /** True once a whole value has been read; further text is not looked at. */
  get done(): boolean {
    return this.state === DONE;
  }

  write(chunk: string): void {
    let index = 0;
    while (index < chunk.length && this.state !== INVALID && this.state !== DONE) {
      switch (this.state) {
        case STRING:
          index = this.readString(chunk, index);
          break;
        case NUMBER:
          index = this.readNumber(chunk, index);
          break;
        case LITERAL:
          index = this.readLiteral(chunk, index);
          break;
        default:
          index = this.readStructure(chunk, index);
      }
    }
    if (this.state === DONE && this.end === undefined) this.end = this.offset + index;
    this.offset += chunk.length;
  }

  /** The value known so far; see {@link parsePartialJson}. */
  result(): PartialJsonResult {
    if (this.state === INVALID) return invalidResult;
    let pending: unknown = none;
    if (this.state === STRING && !this.stringIsKey) {
      pending = this.stringEndsInHalfPair ? this.stringValue.slice(0, -1) : this.stringValue;
    }
    if (this.state === NUMBER && completeNumberStates.has(this.numberState)) pending = Number(this.numberText);

    if (this.stack.length === 0) {
      if (this.state === DONE) return { state: 'complete', value: this.root };
      if (pending === none) return { state: 'partial', value: undefined };
      // A number at the very end of the text may be the whole document.
      return { state: this.state === NUMBER ? 'complete' : 'partial', value: pending };
    }

    let child = pending;
    for (let level = this.stack.length - 1; level >= 0; level--) {
      const frame = this.stack[level] as Frame;
      const open = level < this.stack.length - 1;
      if (Array.isArray(frame.container)) {
        const copy = frame.container.slice();
        if (open) copy[copy.length - 1] = child;
        else if (child !== none) copy.push(child);
        child = copy;
      } else {
        const copy = { ...frame.container };
        if (child !== none) setProperty(copy, frame.key as string, child);
        child = copy;
      }
    }
    return { state: 'partial', value: child };
  }

  private readStructure(chunk: string, start: number): number {
    let index = start;
    while (index < chunk.length) {
      const code = chunk.charCodeAt(index);
      if (code === 32 || code === 10 || code === 13 || code === 9) {
        index++;
        continue;
      }
      this.readStructuralCharacter(code, chunk[index] as string);
      // A value that starts here is read from this same character on.
      return this.state === NUMBER || this.state === LITERAL ? index : index + 1;
    }
    return index;
  }

  private readStructuralCharacter(code: number, character: string): void {
    const frame = this.stack[this.stack.length - 1];
    switch (this.state) {
      case AFTER_VALUE: {
        const inArray = Array.isArray(frame?.container);
        if (code === 44 /* , */) {
          this.state = inArray ? VALUE : KEY;
          this.justOpened = false;
        } else if (code === (inArray ? 93 /* ] */ : 125) /* } */) {
          this.close();
        } else {
          this.state = INVALID;
        }
        return;
      }
      case KEY:
        if (code === 125 /* } */ && this.justOpened) this.close();
        else if (code === 34 /* " */) this.startString(true);
        else this.state = INVALID;
        return;
      case COLON:
        this.state = code === 58 /* : */ ? VALUE : INVALID;
        this.justOpened = false;
        return;
    }
    // state === VALUE
    if (code === 93 /* ] */ && this.justOpened && frame && Array.isArray(frame.container)) {
      this.close();
    } else if (code === 123 /* { */ || code === 91 /* [ */) {
      const container = code === 123 ? {} : [];
      this.attach(container, true);
      this.stack.push({ container, key: undefined });
      this.state = code === 123 ? KEY : VALUE;
      this.justOpened = true;
    } else if (code === 34 /* " */) {
      this.startString(false);
      this.version++;
    } else if (code === 45 /* - */ || (code >= 48 && code <= 57)) {
      this.state = NUMBER;
      this.numberText = '';
      this.numberState = AFTER_MINUS;
    } else if (literals[character]) {
      this.state = LITERAL;
      this.literal = literals[character];
      this.literalLength = 0;
    } else {
      this.state = INVALID;
    }
  }

  private close(): void {
    this.stack.pop();
    this.state = this.stack.length === 0 ? DONE : AFTER_VALUE;
  }

  /** Puts a value in its place; `isNew` unless it was already shown while being read. */
  private attach(value: unknown, isNew: boolean): void {
    const frame = this.stack[this.stack.length - 1];
    if (!frame) this.root = value;
    else if (Array.isArray(frame.container)) frame.container.push(value);
    else setProperty(frame.container, frame.key as string, value);
    if (isNew) this.version++;
  }

  /** Attaches a finished scalar and moves on. */
  private finishValue(value: unknown, isNew: boolean): void {
    this.attach(value, isNew);
    this.state = this.stack.length === 0 ? DONE : AFTER_VALUE;
  }

  private startString(isKey: boolean): void {
    this.state = STRING;
    this.stringIsKey = isKey;
    this.stringValue = '';
    this.stringEndsInHalfPair = false;
    this.escape = '';
  }

  private readString(chunk: string, start: number): number {
    let index = start;
    while (index < chunk.length) {
      if (this.escape !== '') {
        if (!this.readEscape(chunk[index] as string)) return index;
        index++;
        continue;
      }
      let runEnd = index;
      let code = 0;
      for (; runEnd < chunk.length; runEnd++) {
        code = chunk.charCodeAt(runEnd);
        if (code === 34 /* " */ || code === 92 /* \ */) break;
      }
      if (runEnd > index) this.appendToString(chunk.slice(index, runEnd));
      if (runEnd === chunk.length) return runEnd;
      if (code === 92) {
        this.escape = '\\';
        index = runEnd + 1;
        continue;
      }
      this.endString();
      return runEnd + 1;
    }
    return index;
  }

  /** Reads one character of an escape; false when it is invalid. */
  private readEscape(character: string): boolean {
    if (this.escape === '\\') {
      if (character === 'u') {
        this.escape = '\\u';
        return true;
      }
      const decoded = escapes[character];
      if (decoded === undefined) {
        this.state = INVALID;
        return false;
      }
      this.escape = '';
      this.appendToString(decoded);
      return true;
    }
    if (!/^[0-9a-fA-F]$/.test(character)) {
      this.state = INVALID;
      return false;
    }
    this.escape += character;
    if (this.escape.length === 6) {
      const decoded = String.fromCharCode(Number.parseInt(this.escape.slice(2), 16));
      this.escape = '';
      this.appendToString(decoded);
    }
    return true;
  }

  private appendToString(text: string): void {
    const heldBack = this.stringEndsInHalfPair;
    this.stringValue += text;
    this.stringEndsInHalfPair = isHighSurrogate(text.charCodeAt(text.length - 1));
    // The value grew unless all that arrived is the high half of a pair, now held back.
    if (!this.stringIsKey && (text.length > 1 || heldBack || !this.stringEndsInHalfPair)) this.version++;
  }

  private endString(): void {
    if (this.stringIsKey) {
      (this.stack[this.stack.length - 1] as Frame).key = this.stringValue;
      this.state = COLON;
      return;
    }
    // The partial string was already shown; only a held-back half pair is new.
    this.finishValue(this.stringValue, this.stringEndsInHalfPair);
  }

  private readNumber(chunk: string, start: number): number {
    let index = start;
    const shownBefore = this.shownNumber();
    for (; index < chunk.length; index++) {
      const next = nextNumberState(this.numberState, chunk.charCodeAt(index), this.numberText === '');
      if (next === 'end') {
        if (completeNumberStates.has(this.numberState)) {
          const value = Number(this.numberText);
          this.finishValue(value, !Object.is(shownBefore, value));
        } else {
          this.state = INVALID;
        }
        return index;
      }
      this.numberState = next;
      this.numberText += chunk[index];
    }
    if (!Object.is(this.shownNumber(), shownBefore)) this.version++;
    return index;
  }

  private shownNumber(): number | undefined {
    return completeNumberStates.has(this.numberState) ? Number(this.numberText) : undefined;
  }

  private readLiteral(chunk: string, start: number): number {
    const [word, value] = this.literal;
    let index = start;
    for (; index < chunk.length && this.literalLength < word.length; index++) {
      if (chunk[index] !== word[this.literalLength]) {
        this.state = INVALID;
        return index;
      }
      this.literalLength++;
    }
    if (this.literalLength === word.length) this.finishValue(value, true);
    return index;
  }
}

/**
 * The next number state for a character, `'end'` when the character is not part of the number
 * (it is then read as structure), or `INVALID` through the caller when the grammar breaks.
 */
function nextNumberState(state: number, code: number, atStart: boolean): number | 'end' {
  const digit = code >= 48 && code <= 57;
  if (atStart) {
    if (code === 45 /* - */) return AFTER_MINUS;
    return code === 48 ? AFTER_ZERO : INTEGER;
  }
  switch (state) {
    case AFTER_MINUS:
      if (code === 48) return AFTER_ZERO;
      return digit ? INTEGER : 'end';
    case AFTER_ZERO:
    case INTEGER:
      if (digit) return state === INTEGER ? INTEGER : 'end';
      if (code === 46 /* . */) return AFTER_DOT;
      return code === 101 || code === 69 /* e E */ ? AFTER_E : 'end';
    case AFTER_DOT:
      return digit ? FRACTION : 'end';
    case FRACTION:
      if (digit) return FRACTION;
      return code === 101 || code === 69 ? AFTER_E : 'end';
    case AFTER_E:
      if (code === 43 || code === 45 /* + - */) return AFTER_EXPONENT_SIGN;
      return digit ? EXPONENT : 'end';
    default:
      return digit ? EXPONENT : 'end';
  }
}

/** A high surrogate at the end of a partial string may still get its low half: hold it back. */
function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Like assignment, but `__proto__` becomes an own property as with `JSON.parse`. */
function setProperty(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

function isWhitespaceOnly(text: string, start: number): boolean {
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 32 && code !== 10 && code !== 13 && code !== 9) return false;
  }
  return true;
}
