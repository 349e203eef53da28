import { type Transform, transform } from 'sucrase';
import { type PreviewRuntimeError, toPreviewRuntimeError } from './previewRuntimeError.js';

/** The outcome of {@link compilePreviewModule}. */
export type CompiledPreviewModule = { ok: true; code: string } | { ok: false; error: PreviewRuntimeError };

function transformsFor(filePath: string): Transform[] {
  if (/\.[cm]?ts$/i.test(filePath)) return ['typescript', 'imports'];
  if (/\.[cm]?jsx?$/i.test(filePath)) return ['jsx', 'imports'];
  return ['typescript', 'jsx', 'imports'];
}

/**
 * Transpiles a single-file React fragment (TypeScript, JSX) into a CommonJS module body for
 * the preview frame: `import` becomes `require`, which the frame's runtime answers with its
 * own React, and JSX uses the automatic runtime, so the code needs no `import React`. The
 * frame then needs no compiler. Line numbers stay those of the source, so stack frames point
 * at the lines the user sees. A syntax error is returned, not thrown, as a `compile` error
 * whose one frame is the failing position.
 */
export function compilePreviewModule(source: string, filePath: string): CompiledPreviewModule {
  try {
    const { code } = transform(source, {
      transforms: transformsFor(filePath),
      jsxRuntime: 'automatic',
      production: true,
      // Browsers that run the preview support modern syntax; leaving it alone keeps columns closer to the source.
      disableESTransforms: true,
      filePath,
    });
    return { ok: true, code };
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const location = (error as Error & { loc?: { line?: unknown; column?: unknown } }).loc;
    const message = error.message.replace(/^Error transforming [^:]*: /, '');
    const at =
      typeof location?.line === 'number' && typeof location.column === 'number'
        ? `\n    at ${filePath}:${location.line}:${location.column}`
        : '';
    return {
      ok: false,
      error: toPreviewRuntimeError(
        { kind: 'compile', name: error.name, message, stack: `${error.name}: ${message}${at}` },
        { filePath, ownFiles: [] },
      ),
    };
  }
}
