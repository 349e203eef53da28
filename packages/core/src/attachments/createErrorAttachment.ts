import { FragmentkitError } from '../errors.js';
import { maxMessageLength, maxTypeLength } from '../incidents/incidentLimits.js';
import { parseStackTrace, type StackFrame } from '../incidents/parseStackTrace.js';
import type { ErrorAttachment } from './attachment.js';
import { contentHash } from './contentHash.js';
import { languageFromPath, sliceLines } from './createAttachment.js';

/**
 * Options for {@link createErrorAttachment}.
 *
 * @example
 * ```ts
 * const options: CreateErrorAttachmentOptions = { message: error.message, stack: error.stack, filePath: 'src/App.tsx', source };
 * ```
 */
export interface CreateErrorAttachmentOptions {
  /** The error's message, e.g. `error.message`. */
  message: string;
  /** The stack as the runtime printed it, e.g. `error.stack`. Parsed with `parseStackTrace`. */
  stack?: string;
  /** The error's class, e.g. `error.name`. Defaults to the type the stack starts with, else `Error`. */
  errorType?: string;
  /** The file that failed, as the model should see it, e.g. `src/App.tsx`. */
  filePath: string;
  /** The current contents of `filePath`. */
  source: string;
  /** The failing line. Defaults to the line of the topmost stack frame in `filePath`. */
  line?: number;
  /** Lines of code shown on each side of the failing line. Default 5. */
  contextLines?: number;
  /** Fence language. Defaults to {@link languageFromPath}. */
  language?: string;
}

const defaultContextLines = 5;
const maxFrames = 50;

/**
 * Creates an `error` {@link Attachment} for "fix this" requests: the message, the parsed stack
 * and the code around the failing line (`contextLines` each side, clamped to the file). The
 * failing line comes from `line` or from the topmost frame whose file is `filePath`; frames from
 * a dev server (`https://host/src/App.tsx?t=123`) match the project path `src/App.tsx`.
 *
 * The `id` names file, line and message, so the same error attached twice is one attachment.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when the path is empty, no failing line is given
 * or found in the stack, or the failing line is past the end of `source`.
 *
 * @example
 * ```ts
 * import { createErrorAttachment } from '@fragmentkit/core';
 *
 * const attachment = createErrorAttachment({
 *   message: error.message,
 *   stack: error.stack,
 *   errorType: error.name,
 *   filePath: 'src/App.tsx',
 *   source: currentSource,
 * });
 * store.add(attachment);
 * ```
 */
export function createErrorAttachment(options: CreateErrorAttachmentOptions): ErrorAttachment {
  const { filePath, source } = options;
  if (typeof filePath !== 'string' || filePath.trim() === '') {
    throw new FragmentkitError('INVALID_REQUEST', 'An error attachment needs a non-empty filePath.');
  }
  const frames = parseStackTrace(options.stack ?? '', { maxFrames });
  const failingLine = options.line ?? frames.find((frame) => frameIsInFile(frame, filePath))?.line;
  const lineCount = source.split(/\r\n?|\n/).length;
  if (failingLine === undefined || !Number.isInteger(failingLine) || failingLine < 1 || failingLine > lineCount) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      failingLine === undefined
        ? `No frame of the stack points into ${filePath}. Pass the failing line as \`line\`.`
        : `The failing line ${failingLine} is not a line of ${filePath}, which has ${lineCount} line(s). Pass the source the error came from.`,
      { details: { filePath, failingLine, lineCount } },
    );
  }
  const context = Math.max(0, Math.floor(options.contextLines ?? defaultContextLines));
  const range = { startLine: Math.max(1, failingLine - context), endLine: Math.min(lineCount, failingLine + context) };
  const text = sliceLines(source, range);
  const errorType = (options.errorType?.trim() || typeFromStack(options.stack) || 'Error').slice(0, maxTypeLength);
  const message = options.message.slice(0, maxMessageLength);
  return {
    id: `${filePath}#L${failingLine}:error:${contentHash(`${errorType}: ${message}`)}`,
    kind: 'error',
    filePath,
    language: options.language ?? languageFromPath(filePath),
    text,
    range,
    contentHash: contentHash(text),
    message,
    errorType,
    frames,
    failingLine,
  };
}

/**
 * Whether a frame's file is `filePath`: the frame's URL or path without origin, query and hash
 * ends with the project path, or the other way round for frames with shorter paths.
 */
export function frameIsInFile(frame: StackFrame, filePath: string): boolean {
  if (!frame.file || frame.line === undefined) return false;
  const framePath = toComparablePath(frame.file.replace(/^[a-z][\w+.-]*:\/\/[^/]*/i, ''));
  const projectPath = toComparablePath(filePath);
  if (framePath === '' || projectPath === '') return false;
  return framePath === projectPath || framePath.endsWith(`/${projectPath}`) || projectPath.endsWith(`/${framePath}`);
}

function toComparablePath(path: string): string {
  return path
    .replace(/[?#].*$/, '')
    .replaceAll('\\', '/')
    .replace(/^(\.?\/)+/, '');
}

/** `TypeError` from a stack that starts `TypeError: x is undefined`. */
function typeFromStack(stack: string | undefined): string | undefined {
  return stack?.match(/^\s*([A-Za-z_$][\w$]*(?:Error|Exception))\b/)?.[1];
}
