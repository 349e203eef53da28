import { incidentLimits, parseStackTrace, type StackFrame } from '@fragmentkit/core';

/**
 * Where an error of the preview came from: `compile` (the code did not transpile, caught in
 * the host page), `error` (an uncaught exception, also one thrown while rendering),
 * `unhandledrejection`, or `console-error` (the fragment called `console.error`).
 *
 * @example
 * ```ts
 * const isCrash = (error: PreviewRuntimeError) => error.kind !== 'console-error';
 * ```
 */
export type PreviewErrorKind = 'compile' | 'error' | 'unhandledrejection' | 'console-error';

/**
 * An error of a running preview, with its stack parsed: ready to show, or to attach as
 * context for a "fix this" turn. Frames in the fragment's own code are `inApp`, and their
 * `file` is the fragment's `file_path` with lines of the original source (the transpiler keeps
 * line numbers), so `frames.find((frame) => frame.inApp)?.line` is the failing line.
 *
 * @example
 * ```tsx
 * <FragmentPreview
 *   fragment={fragment}
 *   onRuntimeError={(error: PreviewRuntimeError) => {
 *     const top = error.frames.find((frame) => frame.inApp);
 *     console.log(`${error.name}: ${error.message} at ${error.filePath}:${top?.line ?? '?'}`);
 *   }}
 * />
 * ```
 */
export interface PreviewRuntimeError {
  kind: PreviewErrorKind;
  /** The error's class, e.g. `TypeError`. */
  name: string;
  message: string;
  /** The stack as the engine printed it; empty when there was none. */
  stack: string;
  /** `stack`, parsed by core's `parseStackTrace`. */
  frames: StackFrame[];
  /** The fragment file the preview ran, e.g. `App.tsx`. */
  filePath: string;
}

/** What the frame reports, before the host parses it. */
export interface PreviewErrorReport {
  kind: PreviewErrorKind;
  name: string;
  message: string;
  stack: string;
}

const maxStackLength = 16_384;

/** Caps a report's fields, so a hostile or runaway fragment cannot flood the host page. */
export function clampErrorReport(report: PreviewErrorReport): PreviewErrorReport {
  return {
    kind: report.kind,
    name: report.name.slice(0, incidentLimits.maxTypeLength),
    message: report.message.slice(0, incidentLimits.maxMessageLength),
    stack: report.stack.slice(0, maxStackLength),
  };
}

/**
 * Parses a report's stack. Frames of the preview's own machinery (the runtime script and the
 * bootstrap in `ownFiles`) are never `inApp`, whatever their URL looks like.
 */
export function toPreviewRuntimeError(
  report: PreviewErrorReport,
  options: { filePath: string; ownFiles: readonly string[] },
): PreviewRuntimeError {
  const clamped = clampErrorReport(report);
  const frames = parseStackTrace(clamped.stack, { maxFrames: incidentLimits.maxFrames }).map((frame) =>
    frame.inApp && frame.file !== undefined && options.ownFiles.includes(frame.file)
      ? { ...frame, inApp: false }
      : frame,
  );
  return { ...clamped, frames, filePath: options.filePath };
}
