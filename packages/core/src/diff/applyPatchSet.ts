import { FragmentkitError } from '../errors.js';
import { type ApplyFilePatchOptions, type ApplyFilePatchResult, applyFilePatch } from './applyFilePatch.js';
import type { FilePatch, FilePatchType } from './filePatch.js';

/**
 * A file by path and content, as {@link applyPatchSet} takes and returns them.
 *
 * @example
 * ```ts
 * const file: FileContent = { path: 'src/App.tsx', content: 'export default function App() {}\n' };
 * ```
 */
export interface FileContent {
  path: string;
  content: string;
}

/**
 * Options of {@link applyPatchSet}.
 *
 * @example
 * ```ts
 * const options: ApplyPatchSetOptions = { allOrNothing: false, fuzz: 1 };
 * ```
 */
export interface ApplyPatchSetOptions extends ApplyFilePatchOptions {
  /**
   * When one patch fails, return the files unchanged (default true). With false, the patches
   * that applied are kept and only the failed ones are left out.
   */
  allOrNothing?: boolean;
}

/**
 * The outcome of one patch of a set.
 *
 * @example
 * ```ts
 * const failures = outcome.results.filter((entry: PatchSetEntry) => !entry.result.ok);
 * ```
 */
export interface PatchSetEntry {
  path: string;
  type: FilePatchType;
  oldPath: string | null;
  newPath: string | null;
  result: ApplyFilePatchResult;
}

/**
 * What {@link applyPatchSet} answers.
 *
 * @example
 * ```ts
 * const outcome: PatchSetResult = applyPatchSet(files, patches);
 * if (outcome.ok) writeAll(outcome.files);
 * ```
 */
export interface PatchSetResult {
  /** True when every patch applied. */
  ok: boolean;
  /**
   * The files after the patches, in input order with created files at the end. With
   * `allOrNothing` and a failure, the input files unchanged.
   */
  files: FileContent[];
  /** One entry per patch, in patch order. */
  results: PatchSetEntry[];
}

/**
 * Applies the patches of a model answer to a set of files: modifications, created and
 * deleted files, renames, and several patches of one file in sequence. Paths are compared
 * without a leading `./`. By default it is all or nothing: one failed patch leaves every file
 * as it was, and `results` says which patch failed and why.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when `files` is not a list of `{ path, content }`
 * with unique paths.
 *
 * @example
 * ```ts
 * import { applyPatchSet, extractDiffs } from '@fragmentkit/core';
 *
 * const { diffs, explanation } = extractDiffs(modelAnswer);
 * const outcome = applyPatchSet(fragment.files, diffs);
 * if (!outcome.ok) {
 *   const failed = outcome.results.find((entry) => !entry.result.ok);
 *   console.log(failed?.path, failed?.result);
 * }
 * ```
 */
export function applyPatchSet(
  files: readonly FileContent[],
  patches: readonly FilePatch[],
  options: ApplyPatchSetOptions = {},
): PatchSetResult {
  const current = readFiles(files);
  if (!Array.isArray(patches)) throw new FragmentkitError('INVALID_REQUEST', 'patches must be an array of FilePatch.');
  const { allOrNothing = true, ...applyOptions } = options;
  const results: PatchSetEntry[] = [];
  for (const patch of patches) {
    const oldKey = patch.oldPath === null ? null : normalizePath(patch.oldPath);
    const newKey = patch.newPath === null ? null : normalizePath(patch.newPath);
    const entry = (result: ApplyFilePatchResult): PatchSetEntry => ({
      path: patch.path,
      type: patch.type,
      oldPath: patch.oldPath,
      newPath: patch.newPath,
      result,
    });
    if (patch.type === 'rename' && newKey !== null && newKey !== oldKey && current.has(newKey)) {
      results.push(
        entry({
          ok: false,
          reason: 'file-exists',
          hunkIndex: null,
          message: `${patch.newPath} already exists; the patch renames ${patch.oldPath} to it.`,
          details: { path: patch.newPath },
        }),
      );
      continue;
    }
    const existing = current.get((oldKey ?? newKey)!);
    const result = applyFilePatch(existing?.content ?? null, patch, applyOptions);
    results.push(entry(result));
    if (!result.ok) continue;
    // Deleting only a path that goes away keeps a modified file at its place in the list.
    if (oldKey !== null && (oldKey !== newKey || result.content === null)) current.delete(oldKey);
    if (newKey !== null && result.content !== null) {
      // A modified file keeps the path spelling the caller gave it.
      const path = patch.type === 'modify' && existing ? existing.path : patch.newPath!;
      current.set(newKey, { path, content: result.content });
    }
  }
  const ok = results.every((entry) => entry.result.ok);
  return {
    ok,
    files:
      !ok && allOrNothing ? files.map((file) => ({ path: file.path, content: file.content })) : [...current.values()],
    results,
  };
}

function readFiles(files: readonly FileContent[]): Map<string, FileContent> {
  if (!Array.isArray(files))
    throw new FragmentkitError('INVALID_REQUEST', 'files must be an array of { path, content }.');
  const byPath = new Map<string, FileContent>();
  for (const [index, file] of files.entries()) {
    if (typeof file?.path !== 'string' || typeof file.content !== 'string') {
      throw new FragmentkitError('INVALID_REQUEST', `files[${index}] must be { path: string, content: string }.`, {
        details: { index },
      });
    }
    const key = normalizePath(file.path);
    if (byPath.has(key)) {
      throw new FragmentkitError('INVALID_REQUEST', `files lists ${file.path} twice.`, {
        details: { path: file.path },
      });
    }
    byPath.set(key, { path: file.path, content: file.content });
  }
  return byPath;
}

function normalizePath(path: string): string {
  return path.startsWith('./') ? path.slice(2) : path;
}
