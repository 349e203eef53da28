import { languageFromPath } from '../attachments/createAttachment.js';
import { fitLeadingLines, lineCount } from '../tokens/fitLeadingLines.js';
import type { Tokenizer } from '../tokens/tokenizer.js';
import type { TurnFragment } from './conversationTurn.js';
import { toSingleLine } from './dataBlock.js';
import { fragmentFiles, latestFragmentHeading, renderFragmentFile } from './renderTurn.js';

/** The latest fragment as it goes into the final user message, and what the budget did to it. */
export interface PlacedFragment {
  /** Empty when nothing of it fits, not even the note saying so. */
  text: string;
  tokens: number;
  truncated: boolean;
  dropped: boolean;
}

const separator = '\n\n';
const reason = "the model's context window ran out";

/**
 * The latest fragment in full (heading, then each file as a data block) when it fits `limit`;
 * else its files in order, the first one that does not fit cut to its leading lines with a
 * note and the rest named in a note; else a note that it was left out, or nothing.
 */
export function placeLatestFragment(
  fragment: TurnFragment,
  version: number | undefined,
  limit: number,
  tokenizer: Tokenizer,
): PlacedFragment {
  const heading = latestFragmentHeading(fragment, version);
  const files = fragmentFiles(fragment).map((file) => ({
    ...file,
    filePath: toSingleLine(file.filePath),
    language: languageFromPath(file.filePath),
  }));
  const whole = [heading, ...files.map((file) => renderFragmentFile(file.filePath, file.code, file.language))].join(
    separator,
  );
  const wholeText = whole + separator;
  const wholeTokens = tokenizer.count(wholeText);
  if (wholeTokens <= limit) return { text: wholeText, tokens: wholeTokens, truncated: false, dropped: false };

  const separatorTokens = tokenizer.count(separator);
  const omittedFrom = (index: number) =>
    index < files.length
      ? `[fragmentkit: also omitted from the current fragment: ${files
          .slice(index)
          .map((file) => file.filePath)
          .join(', ')}]`
      : '';
  const pieces = [heading];
  let used = tokenizer.count(heading) + separatorTokens;
  let truncated = false;
  for (const [index, file] of files.entries()) {
    // What the next files' note costs is held back, so the note always fits after this file.
    const laterNote = omittedFrom(index + 1);
    const laterNoteTokens = laterNote ? tokenizer.count(laterNote) + separatorTokens : 0;
    const lastLine = lineCount(file.code);
    const note = (from: number) =>
      `[fragmentkit: lines ${from}-${lastLine} of ${file.filePath} in the current fragment omitted: ${reason}]`;
    const fitted = fitLeadingLines({
      text: file.code,
      limit: limit - used - separatorTokens - laterNoteTokens,
      tokenizer,
      frameTokens: tokenizer.count(renderFragmentFile(file.filePath, '', file.language)),
      noteTokens: tokenizer.count(note(lastLine)) + 1,
      renderWhole: () => renderFragmentFile(file.filePath, file.code, file.language),
      renderPart: (keptText, kept) => renderFragmentFile(file.filePath, keptText, file.language, note(kept + 1)),
    });
    if (!fitted && index === 0) return leftOut(fragment, version, limit, tokenizer);
    const rest = fitted ? (fitted.whole ? '' : laterNote) : omittedFrom(index);
    if (fitted) {
      pieces.push(fitted.rendered);
      used += fitted.tokens + separatorTokens;
    }
    if (rest) {
      pieces.push(rest);
      used += tokenizer.count(rest) + separatorTokens;
    }
    if (!fitted?.whole) {
      truncated = true;
      break;
    }
  }
  return { text: pieces.join(separator) + separator, tokens: used, truncated, dropped: false };
}

/** A note that the fragment was left out, when even that fits. */
function leftOut(
  fragment: TurnFragment,
  version: number | undefined,
  limit: number,
  tokenizer: Tokenizer,
): PlacedFragment {
  const note = `[fragmentkit: the current ${describe(fragment, version)} was left out: ${reason}]${separator}`;
  const tokens = tokenizer.count(note);
  return tokens <= limit
    ? { text: note, tokens, truncated: false, dropped: true }
    : { text: '', tokens: 0, truncated: false, dropped: true };
}

function describe(fragment: TurnFragment, version: number | undefined): string {
  return `fragment${fragment.title ? ` "${toSingleLine(fragment.title)}"` : ''}${version === undefined ? '' : ` v${version}`}`;
}
