/**
 * Kind of a {@link JsToken}. Comments, regular expressions, template text and JSX text are
 * not tokens: they are skipped, so a rule never matches words inside them.
 *
 * @example
 * ```ts
 * const identifiers = tokenizeJs(source).tokens.filter((token) => token.kind === 'identifier');
 * ```
 */
export type JsTokenKind = 'identifier' | 'punctuator' | 'string' | 'number';

/**
 * One token of JavaScript/TypeScript code, with its 1-based position. For `string` tokens,
 * `value` is the content without quotes.
 *
 * @example
 * ```ts
 * const token: JsToken = { kind: 'identifier', value: 'fetch', line: 3, column: 5 };
 * ```
 */
export interface JsToken {
  kind: JsTokenKind;
  value: string;
  line: number;
  column: number;
}

/**
 * The tokens of a source file. `complete` is false when the scanner gave up early (nesting
 * deeper than it follows), so the caller can say the file was only partly checked.
 *
 * @example
 * ```ts
 * const { tokens, complete } = tokenizeJs(source, { jsx: true });
 * ```
 */
export interface JsTokenizeResult {
  tokens: JsToken[];
  complete: boolean;
}

const punctuators = [
  '>>>=',
  '...',
  '===',
  '!==',
  '**=',
  '<<=',
  '>>=',
  '>>>',
  '&&=',
  '||=',
  '??=',
  '?.',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '**',
  '<<',
  '>>',
];

// After these keywords an expression starts, so `/` opens a regular expression and `<` may open JSX.
const keywordsBeforeExpression = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'extends',
]);

const maxDepth = 200;

class JsxAbort extends Error {}
class TooDeep extends Error {}

type Last = { kind: JsTokenKind | 'expression-end'; value: string } | null;

/**
 * A small tokenizer for JavaScript, TypeScript and JSX, good enough for static checks: it
 * knows strings, template literals (and the code inside `${}`), comments, regular expression
 * literals and JSX (text and attribute strings are skipped; `{}` expressions are code). It
 * never throws; it does not validate syntax.
 *
 * @example
 * ```ts
 * import { tokenizeJs } from '@fragmentkit/core';
 *
 * tokenizeJs('// fetch later\nconst data = fetchData();').tokens.map((token) => token.value);
 * // ['const', 'data', '=', 'fetchData', '(', ')', ';']
 * ```
 */
export function tokenizeJs(source: string, options: { jsx?: boolean } = {}): JsTokenizeResult {
  const jsx = options.jsx ?? true;
  const tokens: JsToken[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let last: Last = null;

  const at = (offset = 0) => source[pos + offset];

  function advance(count = 1): void {
    for (let step = 0; step < count && pos < source.length; step++) {
      if (source[pos] === '\n') {
        line += 1;
        lineStart = pos + 1;
      }
      pos += 1;
    }
  }

  function emit(kind: JsTokenKind, value: string, startPos: number, startLine: number, startLineStart: number): void {
    tokens.push({ kind, value, line: startLine, column: startPos - startLineStart + 1 });
    last = { kind, value };
  }

  function skipTrivia(): void {
    while (pos < source.length) {
      const char = at();
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v') {
        advance();
      } else if (char === '/' && at(1) === '/') {
        while (pos < source.length && at() !== '\n') advance();
      } else if (char === '/' && at(1) === '*') {
        advance(2);
        while (pos < source.length && !(at() === '*' && at(1) === '/')) advance();
        advance(2);
      } else if (
        char !== undefined &&
        (char === '\u00a0' || char === '\ufeff' || char === '\u2028' || char === '\u2029')
      ) {
        advance();
      } else {
        return;
      }
    }
  }

  function expressionMayStart(): boolean {
    if (last === null) return true;
    if (last.kind === 'punctuator') return last.value !== ')' && last.value !== ']' && last.value !== '}';
    if (last.kind === 'identifier') return keywordsBeforeExpression.has(last.value);
    return false;
  }

  function isIdentifierStart(char: string | undefined): boolean {
    return char !== undefined && (/[A-Za-z_$]/.test(char) || char.charCodeAt(0) > 0x7f);
  }

  function isIdentifierPart(char: string | undefined): boolean {
    return char !== undefined && (/[\w$]/.test(char) || char.charCodeAt(0) > 0x7f);
  }

  function scanString(quote: string): string {
    advance();
    let value = '';
    while (pos < source.length && at() !== quote && at() !== '\n') {
      if (at() === '\\') {
        advance();
        value += at() ?? '';
        advance();
      } else {
        value += at();
        advance();
      }
    }
    advance();
    return value;
  }

  function scanRegex(): boolean {
    let index = pos + 1;
    let inClass = false;
    for (;;) {
      const char = source[index];
      if (char === undefined || char === '\n') return false;
      if (char === '\\') index += 2;
      else {
        if (char === '[') inClass = true;
        else if (char === ']') inClass = false;
        else if (char === '/' && !inClass) break;
        index += 1;
      }
    }
    index += 1;
    while (index < source.length && /[a-z]/i.test(source[index] ?? '')) index += 1;
    advance(index - pos);
    last = { kind: 'expression-end', value: '' };
    return true;
  }

  function scanTemplate(depth: number): void {
    advance();
    while (pos < source.length) {
      const char = at();
      if (char === '\\') advance(2);
      else if (char === '`') {
        advance();
        break;
      } else if (char === '$' && at(1) === '{') {
        advance(2);
        scanCode(true, depth + 1);
      } else advance();
    }
    last = { kind: 'expression-end', value: '' };
  }

  function skipJsxWhitespace(): void {
    while (pos < source.length && /\s/.test(at() ?? '')) advance();
  }

  function scanJsxAttributeString(quote: string): void {
    advance();
    while (pos < source.length && at() !== quote) advance();
    if (pos >= source.length) throw new JsxAbort();
    advance();
  }

  function scanJsxExpression(depth: number): void {
    advance();
    if (!scanCode(true, depth + 1)) throw new JsxAbort();
  }

  function scanJsxElement(depth: number): void {
    if (depth > maxDepth) throw new TooDeep();
    advance();
    skipJsxWhitespace();
    if (at() === '>') {
      advance();
      scanJsxChildren(depth);
      return;
    }
    if (!isIdentifierStart(at())) throw new JsxAbort();
    while (pos < source.length && (isIdentifierPart(at()) || at() === '.' || at() === ':' || at() === '-')) advance();
    for (;;) {
      skipJsxWhitespace();
      const char = at();
      if (char === '/') {
        if (at(1) !== '>') throw new JsxAbort();
        advance(2);
        return;
      }
      if (char === '>') {
        advance();
        scanJsxChildren(depth);
        return;
      }
      if (char === '{') {
        scanJsxExpression(depth);
        continue;
      }
      if (!isIdentifierStart(char)) throw new JsxAbort();
      while (pos < source.length && (isIdentifierPart(at()) || at() === ':' || at() === '-')) advance();
      skipJsxWhitespace();
      if (at() !== '=') continue;
      advance();
      skipJsxWhitespace();
      const value = at();
      if (value === '"' || value === "'") scanJsxAttributeString(value);
      else if (value === '{') scanJsxExpression(depth);
      else if (value === '<') scanJsxElement(depth + 1);
      else throw new JsxAbort();
    }
  }

  function scanJsxChildren(depth: number): void {
    for (;;) {
      const char = at();
      if (char === undefined) throw new JsxAbort();
      if (char === '<' && at(1) === '/') {
        while (pos < source.length && at() !== '>') advance();
        if (pos >= source.length) throw new JsxAbort();
        advance();
        return;
      }
      if (char === '<') scanJsxElement(depth + 1);
      else if (char === '{') scanJsxExpression(depth);
      else advance();
    }
  }

  function tryJsx(depth: number): boolean {
    const saved = { pos, line, lineStart, count: tokens.length, last };
    try {
      scanJsxElement(depth);
      last = { kind: 'expression-end', value: '' };
      return true;
    } catch (error) {
      if (!(error instanceof JsxAbort)) throw error;
      pos = saved.pos;
      line = saved.line;
      lineStart = saved.lineStart;
      tokens.length = saved.count;
      last = saved.last;
      return false;
    }
  }

  /** Scans code; with `untilBrace`, stops after the `}` that closes the caller's `{`. Returns whether it found it. */
  function scanCode(untilBrace: boolean, depth: number): boolean {
    if (depth > maxDepth) throw new TooDeep();
    let braces = 0;
    for (;;) {
      skipTrivia();
      if (pos >= source.length) return !untilBrace;
      const char = at() as string;
      const startPos = pos;
      const startLine = line;
      const startLineStart = lineStart;
      if (isIdentifierStart(char) || (char === '#' && isIdentifierStart(at(1)))) {
        advance();
        while (pos < source.length && isIdentifierPart(at())) advance();
        emit('identifier', source.slice(startPos, pos), startPos, startLine, startLineStart);
      } else if (/\d/.test(char) || (char === '.' && /\d/.test(at(1) ?? ''))) {
        advance();
        while (pos < source.length) {
          const next = at() as string;
          const previous = source[pos - 1] as string;
          if (/[\w.]/.test(next) || ((next === '+' || next === '-') && /[eE]/.test(previous))) advance();
          else break;
        }
        emit('number', source.slice(startPos, pos), startPos, startLine, startLineStart);
      } else if (char === '"' || char === "'") {
        emit('string', scanString(char), startPos, startLine, startLineStart);
      } else if (char === '`') {
        scanTemplate(depth);
      } else if (char === '/' && expressionMayStart() && scanRegex()) {
        // A regular expression literal: skipped like a string.
      } else if (char === '<' && jsx && expressionMayStart() && tryJsx(depth)) {
        // A JSX element: its expressions were scanned as code, its text skipped.
      } else if (char === '{') {
        braces += 1;
        advance();
        emit('punctuator', '{', startPos, startLine, startLineStart);
      } else if (char === '}') {
        advance();
        if (untilBrace && braces === 0) {
          last = { kind: 'expression-end', value: '' };
          return true;
        }
        braces -= 1;
        emit('punctuator', '}', startPos, startLine, startLineStart);
      } else {
        const punctuator = punctuators.find((candidate) => source.startsWith(candidate, pos)) ?? char;
        advance(punctuator.length);
        emit('punctuator', punctuator, startPos, startLine, startLineStart);
      }
    }
  }

  try {
    scanCode(false, 0);
    return { tokens, complete: true };
  } catch (error) {
    if (error instanceof TooDeep) return { tokens, complete: false };
    throw error;
  }
}
