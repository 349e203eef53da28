/**
 * Counts tokens. fragmentkit budgets prompts with whatever tokenizer it is given; the default,
 * {@link estimateTokenizer}, needs no vocabulary. Wrap an exact tokenizer to get exact counts.
 *
 * @example
 * ```ts
 * import { encode } from 'gpt-tokenizer/encoding/o200k_base';
 * import type { Tokenizer } from '@fragmentkit/core';
 *
 * const o200k: Tokenizer = { name: 'o200k_base', count: (text) => encode(text).length };
 * ```
 */
export interface Tokenizer {
  /** Shown in prompt reports, e.g. `estimate` or `o200k_base`. */
  readonly name: string;
  count(text: string): number;
}

// The estimator walks the text once, splitting it the way the pre-tokenizers of cl100k_base and
// o200k_base do (words with one leading space or symbol, digit runs, symbol runs, whitespace), and
// charges each piece what BPE typically spends on it, rounded up. The constants were fitted so the
// estimate stays above both encodings on code, Markdown, JSON, prose and CJK text (see
// tokenizer.test.ts) without overshooting by more than about 1.6x.

/** A space-prefixed lowercase word up to this length is usually one token (` return`, ` width`). */
const SPACED_WORD_FREE_LETTERS = 4;
const SPACED_WORD_BASE = 1.05;
const SPACED_WORD_STEP = 0.2;
/** Words without a leading space (identifier parts, `.map`, `px`) split more often. */
const BARE_WORD_FREE_LETTERS = 2;
const BARE_WORD_BASE = 1.1;
const BARE_WORD_STEP = 0.12;
/** Beyond this length a letter run is rarely a dictionary word: charge like random letters. */
const LONG_WORD_LETTERS = 12;
const LONG_WORD_STEP = 0.5;
/** A symbol glued to a word (`"name`, `:hover`) merges with it only part of the time. */
const SYMBOL_PREFIX = 0.2;
/** Uppercase runs (`HTTP`, `NODE_ENV`, base64 pieces) split into short pieces. */
const UPPERCASE_STEP = 0.6;
const SPACED_UPPERCASE_FREE_LETTERS = 4;
/** Two ASCII symbols in a row (`=>`, `);`) are usually one token; each further one costs this much. */
const SYMBOL_RUN_STEP = 0.7;
/** A run of base64/hex-like characters at least this long is charged per character. */
const RANDOM_RUN_MIN_LENGTH = 16;
/** Base64 and hex cost about 0.7 tokens per character in both encodings. */
const RANDOM_RUN_PER_CHARACTER = 0.8;

// Per-code-point costs outside ASCII. cl100k spends 1.1-1.3 tokens on a Han or Hangul syllable
// and o200k about 0.8, so these sit between the two.
const HANGUL = 1.3;
const KANA = 0.95;
const WIDE_LETTER = 1.3;
const CYRILLIC = 0.6;
/** An accented letter (ä, é, ł) usually splits its word into extra tokens. */
const LATIN_EXTENDED = 1.5;
const OTHER_TWO_BYTE_LETTER = 1.1;
const ASTRAL = 3;
const THREE_BYTE_SYMBOL = 1.5;

// Character kinds, as small integers so they fit the lookup tables below.
const LETTER = 1;
const NUMBER = 2;
const SPACE = 3;
const NEWLINE = 4;
const SYMBOL = 5;
type Kind = typeof LETTER | typeof NUMBER | typeof SPACE | typeof NEWLINE | typeof SYMBOL;

const asciiKinds = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  asciiKinds[code] =
    (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
      ? LETTER
      : code >= 48 && code <= 57
        ? NUMBER
        : code === 10 || code === 13
          ? NEWLINE
          : code === 32 || code === 9 || code === 11 || code === 12
            ? SPACE
            : SYMBOL;
}

const letterPattern = /[\p{L}\p{M}]/u;
const numberPattern = /\p{N}/u;
const spacePattern = /\s/u;
/** Kinds of BMP code points, filled on first sight so Unicode regexes run once per code point. */
let bmpKinds: Uint8Array | undefined;

function kindOfCodePoint(code: number): Kind {
  if (code < 128) return asciiKinds[code] as Kind;
  if (code < 0x10000) {
    bmpKinds ??= new Uint8Array(0x10000);
    const known = bmpKinds[code];
    if (known) return known as Kind;
    const kind = classify(code);
    bmpKinds[code] = kind;
    return kind;
  }
  return classify(code);
}

function classify(code: number): Kind {
  const character = String.fromCodePoint(code);
  if (letterPattern.test(character)) return LETTER;
  if (numberPattern.test(character)) return NUMBER;
  if (code === 0x2028 || code === 0x2029 || code === 0x85) return NEWLINE;
  if (spacePattern.test(character)) return SPACE;
  return SYMBOL;
}

function letterCost(code: number): number {
  if (code >= 0x10000) return ASTRAL - 1;
  if (code >= 0xac00 && code <= 0xd7af) return HANGUL;
  if (code >= 0x3040 && code <= 0x30ff) return KANA;
  if (code >= 0x800) return WIDE_LETTER;
  if (code >= 0x400 && code <= 0x4ff) return CYRILLIC;
  if (code < 0x250) return LATIN_EXTENDED;
  return OTHER_TWO_BYTE_LETTER;
}

function symbolCost(code: number): number {
  if (code < 0x80) return 1;
  if (code > 0xffff) return ASTRAL;
  // CJK and fullwidth punctuation (。、「」（）) are single tokens in both encodings.
  if ((code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xffef)) return 1;
  return code >= 0x800 ? THREE_BYTE_SYMBOL : 1;
}

function lengthCost(length: number, base: number, freeLetters: number, step: number): number {
  if (length <= freeLetters) return 1;
  return (
    base +
    (Math.min(length, LONG_WORD_LETTERS) - freeLetters) * step +
    Math.max(0, length - LONG_WORD_LETTERS) * LONG_WORD_STEP
  );
}

const isUpper = (code: number) => code >= 65 && code <= 90;
const isLower = (code: number) => code >= 97 && code <= 122;
const isAsciiLetter = (code: number) => isUpper(code) || isLower(code);

/**
 * Cost of the letters in `[start, end)`, split like identifiers: `useState` -> `use` `State`,
 * `HTMLElement` -> `HTML` `Element`; non-ASCII letters are charged per code point.
 */
function wordCost(text: string, start: number, end: number, spaced: boolean): number {
  let total = 0;
  let first = true;
  let index = start;
  while (index < end) {
    const code = text.charCodeAt(index);
    if (!isAsciiLetter(code)) {
      while (index < end && !isAsciiLetter(text.charCodeAt(index))) {
        const point = text.codePointAt(index) as number;
        total += letterCost(point);
        index += point > 0xffff ? 2 : 1;
      }
    } else if (isUpper(code) && index + 1 < end && isUpper(text.charCodeAt(index + 1))) {
      let runEnd = index + 1;
      while (runEnd < end && isUpper(text.charCodeAt(runEnd))) runEnd++;
      // In `HTMLElement` the last capital starts the next word.
      if (runEnd < end && isLower(text.charCodeAt(runEnd))) runEnd--;
      const length = runEnd - index;
      if (length === 1) total += 1;
      else if (spaced && first) total += 1 + Math.max(0, length - SPACED_UPPERCASE_FREE_LETTERS) * UPPERCASE_STEP;
      else total += 0.5 + length * UPPERCASE_STEP;
      index = runEnd;
    } else {
      let wordEnd = index + 1;
      while (wordEnd < end && isLower(text.charCodeAt(wordEnd))) wordEnd++;
      const length = wordEnd - index;
      total +=
        spaced && first
          ? lengthCost(length, SPACED_WORD_BASE, SPACED_WORD_FREE_LETTERS, SPACED_WORD_STEP)
          : lengthCost(length, BARE_WORD_BASE, BARE_WORD_FREE_LETTERS, BARE_WORD_STEP);
      index = wordEnd;
    }
    first = false;
  }
  return total;
}

const isRandomRunCharacter = (code: number) =>
  isAsciiLetter(code) || (code >= 48 && code <= 57) || code === 43 || code === 47 || code === 95 || code === 45;

/** Base64, hex digests, UUIDs: digits mixed with both cases, or hex digits with a letter. */
function looksRandom(text: string, start: number, end: number): boolean {
  let digits = false;
  let lower = false;
  let upper = false;
  let hexOnly = true;
  let hexLetter = false;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits = true;
    else if (isLower(code)) {
      lower = true;
      if (code <= 102) hexLetter = true;
      else hexOnly = false;
    } else if (isUpper(code)) {
      upper = true;
      if (code <= 70) hexLetter = true;
      else hexOnly = false;
    } else if (code !== 45 && code !== 61) hexOnly = false;
  }
  return digits && ((lower && upper) || (hexOnly && hexLetter));
}

function kindAt(text: string, index: number, end: number): Kind | 0 {
  if (index >= end) return 0;
  return kindOfCodePoint(text.codePointAt(index) as number);
}

function scan(text: string, start: number, end: number, detectRandomRuns: boolean): number {
  let total = 0;
  let index = start;
  while (index < end) {
    const code = text.codePointAt(index) as number;
    const width = code > 0xffff ? 2 : 1;
    const kind = kindOfCodePoint(code);

    if (detectRandomRuns && isRandomRunCharacter(code)) {
      let runEnd = index + 1;
      while (runEnd < end && isRandomRunCharacter(text.charCodeAt(runEnd))) runEnd++;
      if (runEnd - index >= RANDOM_RUN_MIN_LENGTH) {
        while (runEnd < end && text.charCodeAt(runEnd) === 61) runEnd++;
        total += looksRandom(text, index, runEnd)
          ? (runEnd - index) * RANDOM_RUN_PER_CHARACTER
          : scan(text, index, runEnd, false);
        index = runEnd;
        continue;
      }
    }

    const prefixed = kind !== LETTER && kind !== NUMBER && kind !== NEWLINE;
    if (kind === LETTER || (prefixed && kindAt(text, index + width, end) === LETTER)) {
      let wordStart = index;
      let spaced = false;
      if (kind !== LETTER) {
        spaced = code === 32;
        if (!spaced) total += code < 0x80 ? SYMBOL_PREFIX : symbolCost(code);
        wordStart += width;
      }
      let wordEnd = wordStart;
      while (wordEnd < end) {
        const point = text.codePointAt(wordEnd) as number;
        if (kindOfCodePoint(point) !== LETTER) break;
        wordEnd += point > 0xffff ? 2 : 1;
      }
      total += wordCost(text, wordStart, wordEnd, spaced);
      index = wordEnd;
      continue;
    }

    if (kind === NUMBER) {
      let digits = 0;
      while (index < end) {
        const point = text.codePointAt(index) as number;
        if (kindOfCodePoint(point) !== NUMBER) break;
        digits++;
        index += point > 0xffff ? 2 : 1;
      }
      total += Math.ceil(digits / 3);
      continue;
    }

    if (kind === SYMBOL || (code === 32 && kindAt(text, index + 1, end) === SYMBOL)) {
      if (code === 32) index++;
      let nonAsciiCost = 0;
      let asciiCount = 0;
      while (index < end) {
        const point = text.codePointAt(index) as number;
        if (kindOfCodePoint(point) !== SYMBOL) break;
        if (point < 0x80) asciiCount++;
        else nonAsciiCost += symbolCost(point);
        index += point > 0xffff ? 2 : 1;
      }
      total += nonAsciiCost + (asciiCount === 0 ? 0 : 1 + Math.max(0, asciiCount - 2) * SYMBOL_RUN_STEP);
      // Line breaks right after symbols (`{\n`, `;\n\n`) merge into them.
      while (index < end && kindAt(text, index, end) === NEWLINE) index++;
      continue;
    }

    // Whitespace: up to the last line break of the run is one piece per group of line breaks;
    // spaces after it are one piece, leaving the last space to prefix the next word.
    let runEnd = index;
    let lastNewline = -1;
    while (runEnd < end) {
      const runKind = kindAt(text, runEnd, end);
      if (runKind === NEWLINE) lastNewline = runEnd;
      else if (runKind !== SPACE) break;
      runEnd++;
    }
    if (lastNewline >= 0) {
      let inNewlines = false;
      for (let position = index; position <= lastNewline; position++) {
        const isNewline = kindAt(text, position, end) === NEWLINE;
        if (isNewline && !inNewlines) total += 1;
        inNewlines = isNewline;
      }
      index = lastNewline + 1;
    } else {
      total += 1;
      index = runEnd - index >= 2 && runEnd < end ? runEnd - 1 : runEnd;
    }
  }
  return total;
}

/**
 * Estimates how many tokens `text` costs, without a vocabulary, in one linear pass. It is tuned
 * to stay at or above the exact count of the OpenAI `cl100k_base` and `o200k_base` encodings
 * (and so, in practice, of similar BPE tokenizers) on source code, Markdown, JSON, HTML, CSS,
 * prose and CJK text: typically 10-30% above, at most about 1.6x (CJK against o200k). `chars / 4`
 * by comparison undercounts CSS and minified JavaScript by a quarter and CJK text by two thirds.
 * Text it cannot recognise as unusual (rare proper names, long words in languages other than
 * English, random lowercase letters) can still come out a few percent low.
 *
 * @example
 * ```ts
 * import { estimateTokens } from '@fragmentkit/core';
 * estimateTokens('const answer = 42;'); // 7 (o200k_base: 6)
 * ```
 */
export function estimateTokens(text: string): number {
  return Math.ceil(scan(text, 0, text.length, true));
}

/**
 * The default {@link Tokenizer}: {@link estimateTokens}, named `estimate`.
 *
 * @example
 * ```ts
 * import { budgetAttachments, estimateTokenizer } from '@fragmentkit/core';
 * const budget = budgetAttachments(attachments, { tokenizer: estimateTokenizer });
 * ```
 */
export const estimateTokenizer: Tokenizer = {
  name: 'estimate',
  count: estimateTokens,
};
