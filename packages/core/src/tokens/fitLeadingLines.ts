import type { Tokenizer } from './tokenizer.js';

/** Options for {@link fitLeadingLines}. */
export interface FitLeadingLinesOptions {
  /** The lines, joined with `\n`. */
  text: string;
  /** Most tokens the rendered block may take. */
  limit: number;
  tokenizer: Tokenizer;
  /** Tokens of the block without any line (label, fences), e.g. the count of the block rendered with no text. */
  frameTokens: number;
  /** Tokens of the longest note that says what was left out, with its line break. */
  noteTokens: number;
  /** The block with every line. */
  renderWhole(): string;
  /** The block with only `keptText`, the first `kept` lines, and the note. */
  renderPart(keptText: string, kept: number): string;
}

/** A block that fits: how many leading lines it keeps, as rendered and counted. */
export interface FittedLines {
  /** Lines kept. */
  kept: number;
  /** Whether every line was kept. */
  whole: boolean;
  /** The kept lines, joined with `\n`. */
  keptText: string;
  rendered: string;
  /**
   * Tokens of `rendered`: its count when it was counted whole, else the sum of the counts of
   * its pieces (frame, runs of lines, note). For the default estimator that sum is never below
   * the whole count and at most about a token per run of lines above it.
   */
  tokens: number;
}

/** Lines counted together: long enough that rounding per count stays small, short enough to search inside. */
const chunkLines = 16;

/**
 * The block with all lines when it fits, else with its longest run of leading lines that does
 * (plus the note), else `undefined`. Lines are never split.
 *
 * A block that is likely to fit is counted whole, once. Otherwise its lines are counted in runs
 * (of 1, 2, 4, 8, then 16 lines) and only until the limit is reached, so cutting a long block costs about one count of
 * the part that fits, and lines past it are never even split off: the counts of pieces split
 * at line breaks add up to at least the count of the joined text for the default estimator
 * (and about the same for BPE tokenizers, whose pre-tokenizers split there too), so the sum is
 * a safe measure of the cut block. The last run is searched by bisection for the exact line.
 */
export function fitLeadingLines(options: FitLeadingLinesOptions): FittedLines | undefined {
  const { text, limit, tokenizer, frameTokens, noteTokens } = options;
  if (frameTokens >= limit) return undefined;
  const whole = (): FittedLines | undefined => {
    const rendered = options.renderWhole();
    const tokens = tokenizer.count(rendered);
    return tokens <= limit ? { kept: lineCount(text), whole: true, keptText: text, rendered, tokens } : undefined;
  };
  // Text rarely costs more than a token per character, so a block this short most likely fits whole.
  if (!Number.isFinite(limit) || frameTokens + text.length + 1 <= limit) {
    const fitted = whole();
    if (fitted) return fitted;
  }

  const lines = createLineCursor(text);
  const count = (from: number, to: number) => tokenizer.count(lines.slice(from, to, true));
  const wholeBudget = limit - frameTokens;
  const cutBudget = wholeBudget - noteTokens;
  // boundaries[i]: the lines of the first i runs, and their summed count.
  const boundaries = [{ lines: 0, tokens: 0 }];
  let exceeded = false;
  while (!lines.isEnd(boundaries.at(-1)!.lines)) {
    const last = boundaries.at(-1)!;
    // Runs grow 1, 2, 4, 8, 16 lines, so a budget that is nearly spent is found out cheaply.
    const next = lines.advance(last.lines, Math.min(chunkLines, 2 ** (boundaries.length - 1)));
    const tokens = last.tokens + count(last.lines, next);
    // The sum may run a token per run above the whole count, which decides when it is that close.
    if (tokens > wholeBudget + boundaries.length) {
      exceeded = true;
      break;
    }
    boundaries.push({ lines: next, tokens });
  }
  if (!exceeded) {
    const fitted = whole();
    if (fitted) return fitted;
  }

  // Without room for the note, nothing short of the whole block can go in.
  if (cutBudget <= 0) return undefined;
  // The cut needs room for the note: start from the last boundary that leaves it, then find
  // the exact line in the run after it by bisection on counts of the run's head.
  let boundary = boundaries.length - 1;
  while (boundary > 0 && boundaries[boundary]!.tokens > cutBudget) boundary--;
  const { lines: start, tokens: before } = boundaries[boundary]!;
  let kept = start;
  let keptTokens = before;
  let low = start + 1;
  // At least one line is always left out of a cut block.
  let high = lines.advance(start, Math.min(chunkLines, 2 ** boundary));
  if (lines.isEnd(high)) high--;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const tokens = before + count(start, middle);
    if (tokens <= cutBudget) {
      kept = middle;
      keptTokens = tokens;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (kept < 1) return undefined;
  const keptText = lines.slice(0, kept, false);
  return {
    kept,
    whole: false,
    keptText,
    rendered: options.renderPart(keptText, kept),
    tokens: frameTokens + keptTokens + noteTokens,
  };
}

/** Lines in `text`: one more than its line breaks. */
export function lineCount(text: string): number {
  let count = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/**
 * Finds line starts on demand, so a long text is never split beyond the lines that are read.
 * Line `n` (from 0) starts at `starts[n]`; past the last line, the start is `text.length + 1`.
 */
function createLineCursor(text: string) {
  const starts = [0];
  const startOf = (line: number): number => {
    while (starts.length <= line) {
      const previous = starts[starts.length - 1]!;
      if (previous > text.length) return previous;
      const newline = text.indexOf('\n', previous);
      starts.push(newline === -1 ? text.length + 1 : newline + 1);
    }
    return starts[line]!;
  };
  return {
    /** Whether line `line` is past the last one. */
    isEnd: (line: number) => startOf(line) > text.length,
    /** `line + count`, or the number of lines if that is fewer. */
    advance(line: number, count: number): number {
      let next = line;
      while (next < line + count && !this.isEnd(next)) next++;
      return next;
    },
    /** Lines `[from, to)` joined, with the final line break when `withBreak`. */
    slice(from: number, to: number, withBreak: boolean): string {
      const joined = text.slice(startOf(from), startOf(to) - 1);
      return withBreak ? `${joined}\n` : joined;
    },
  };
}
