import { FragmentkitError } from '../errors.js';
import { maxMetadataLength } from '../incidents/incidentLimits.js';
import type { IncidentDetail, MappedStackFrame } from '../incidents/incidentRecord.js';
import type { StackFrame } from '../incidents/parseStackTrace.js';
import type { ErrorAttachment } from './attachment.js';
import { createErrorAttachment, frameIsInFile } from './createErrorAttachment.js';

/**
 * A runtime error as a preview reports it (`@fragmentkit/react`'s `PreviewRuntimeError` fits):
 * a name, a message and parsed frames.
 *
 * @example
 * ```ts
 * const error: RuntimeErrorLike = { name: 'TypeError', message: 'x is undefined', frames: parseStackTrace(stack) };
 * ```
 */
export interface RuntimeErrorLike {
  name: string;
  message: string;
  frames: readonly StackFrame[];
}

/**
 * A file the failing code may be in: a project file, or a fragment's `{ path: file_path, code }`.
 *
 * @example
 * ```ts
 * const file: SourceFile = { path: fragment.file_path, code: fragment.code };
 * ```
 */
export interface SourceFile {
  path: string;
  code: string;
}

/**
 * Options for {@link createIncidentAttachment}.
 *
 * @example
 * ```ts
 * const options: CreateIncidentAttachmentOptions = { error: detail, files: projectFiles, contextLines: 8 };
 * ```
 */
export interface CreateIncidentAttachmentOptions {
  /** An incident from `GET /incidents/:id`, or a preview's runtime error. */
  error: IncidentDetail | RuntimeErrorLike;
  /** Where to look for the failing line's code. */
  files: readonly SourceFile[];
  /** Lines shown on each side of the failing line. Default 5. */
  contextLines?: number;
}

/**
 * Turns an incident (or a preview's runtime error) into an `error` attachment for a "fix this"
 * turn: the message and type, the frames (mapped to the original source where a source map
 * was used), the code around the failing line and, for incidents, the commit it was deployed
 * from. The failing line is the topmost in-app frame that points into one of `files`, by its
 * original position when it has one.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when no in-app frame points into any of `files`
 * (pass the file the error came from).
 *
 * @example
 * ```ts
 * import { createIncidentAttachment } from '@fragmentkit/core';
 *
 * const detail = await (await fetch(`/api/fragmentkit/incidents/${id}`)).json();
 * attachments.add(createIncidentAttachment({ error: detail, files: [{ path: 'src/Checkout.tsx', code }] }));
 * ```
 */
export function createIncidentAttachment(options: CreateIncidentAttachmentOptions): ErrorAttachment {
  const { error, files } = options;
  const isIncident = 'incident' in error;
  const frames: StackFrame[] = (isIncident ? error.frames : error.frames).map(toSourceFrame);
  const message = isIncident ? (error.latestEvent?.message ?? error.incident.message) : error.message;
  const errorType = isIncident ? error.incident.type : error.name;
  const commitSha = isIncident ? (error.incident.commitSha ?? error.latestEvent?.commitSha ?? undefined) : undefined;

  for (const frame of frames) {
    if (!frame.inApp) continue;
    const file = files.find((candidate) => frameIsInFile(frame, candidate.path));
    if (!file || frame.line === undefined) continue;
    if (frame.line > file.code.split(/\r\n?|\n/).length) continue;
    const attachment = createErrorAttachment({
      message,
      errorType,
      filePath: file.path,
      source: file.code,
      line: frame.line,
      ...(options.contextLines === undefined ? {} : { contextLines: options.contextLines }),
    });
    return {
      ...attachment,
      frames: frames.slice(0, 50),
      ...(commitSha ? { commitSha: commitSha.slice(0, maxMetadataLength) } : {}),
    };
  }
  throw new FragmentkitError(
    'INVALID_REQUEST',
    `No in-app frame of "${errorType}: ${message.slice(0, 200)}" points into the files given (${
      files.map((file) => file.path).join(', ') || 'none'
    }). Pass the file the error came from, or upload source maps for minified code.`,
    { details: { files: files.map((file) => file.path) } },
  );
}

/** A mapped frame as the model should read it: where the original source failed. */
function toSourceFrame(frame: MappedStackFrame): StackFrame {
  const { original, ...generated } = frame;
  if (!original) return generated;
  const { column: _generatedColumn, ...rest } = generated;
  const name = original.function ?? frame.function;
  const location = `${original.file}:${original.line}${original.column === undefined ? '' : `:${original.column}`}`;
  return {
    ...rest,
    ...(name === undefined ? {} : { function: name }),
    file: original.file,
    line: original.line,
    ...(original.column === undefined ? {} : { column: original.column }),
    raw: name === undefined ? `at ${location}` : `at ${name} (${location})`,
  };
}
