import type { MappedStackFrame, StackFrame } from '@fragmentkit/core';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { generatedFileName, generatedPath, type SourceMapFile } from './sourceMaps.js';

/**
 * The file names (last path segment) of the frames that could be mapped: what to look up
 * source maps by.
 *
 * @example
 * ```ts
 * mappableFileNames([{ file: 'https://app.test/assets/index-CjXm.js', line: 1, column: 80, inApp: true, raw: '' }]);
 * // ['index-CjXm.js']
 * ```
 */
export function mappableFileNames(frames: readonly StackFrame[]): string[] {
  const names = new Set<string>();
  for (const frame of frames) {
    if (frame.file && frame.line !== undefined && frame.column !== undefined) {
      names.add(generatedFileName(generatedPath(frame.file)));
    }
  }
  return [...names];
}

/**
 * Maps each frame through the source map of its generated file, when there is one: the frame
 * gains `original` (source path, 1-based line, 1-based column, original name). Frames without a
 * map, and maps that are not valid v3 JSON, leave the frame as it was; mapping never throws.
 *
 * @example
 * ```ts
 * const frames = mapFrames(event.frames, [{ path: 'assets/index.js', map: mapJson }]);
 * frames[0]?.original; // { file: 'src/Checkout.tsx', line: 42, column: 11, function: 'submit' }
 * ```
 */
export function mapFrames(frames: readonly StackFrame[], maps: readonly SourceMapFile[]): MappedStackFrame[] {
  const traces = new Map<string, TraceMap | null>();
  const traceFor = (file: string): TraceMap | null => {
    const path = generatedPath(file);
    const source = maps.find(
      (candidate) =>
        candidate.path === path || path.endsWith(`/${candidate.path}`) || candidate.path.endsWith(`/${path}`),
    );
    if (!source) return null;
    if (!traces.has(source.path)) {
      try {
        traces.set(source.path, new TraceMap(source.map));
      } catch {
        traces.set(source.path, null);
      }
    }
    return traces.get(source.path) ?? null;
  };
  return frames.map((frame) => {
    if (!frame.file || frame.line === undefined || frame.column === undefined) return frame;
    const trace = traceFor(frame.file);
    if (!trace) return frame;
    try {
      // Stack columns are 1-based, trace-mapping's are 0-based.
      const position = originalPositionFor(trace, { line: frame.line, column: Math.max(0, frame.column - 1) });
      if (position.source === null || position.line === null) return frame;
      return {
        ...frame,
        original: {
          file: sourcePath(position.source),
          line: position.line,
          ...(position.column === null ? {} : { column: position.column + 1 }),
          ...(position.name ? { function: position.name } : {}),
        },
      };
    } catch {
      return frame;
    }
  });
}

/** `../src/App.tsx` and `webpack://shop/./src/App.tsx` → `src/App.tsx`: the path in the repository. */
function sourcePath(source: string): string {
  return source.replace(/^[a-z][\w+.-]*:\/\/[^/]*\/?/i, '').replace(/^(\.{1,2}\/|\/)+/, '');
}
