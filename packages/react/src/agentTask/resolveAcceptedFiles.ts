import { applyFilePatch, parseUnifiedDiff } from '@fragmentkit/core';
import type { AgentTaskFile } from './agentTaskView.js';

/**
 * A file the user accepted, ready for the host to put into its editor buffer.
 *
 * @example
 * ```ts
 * function apply(file: AcceptedFile) {
 *   if (file.conflict) return showConflict(file.path, file.conflict);
 *   buffers.get(file.path)?.setValue(file.content ?? '');
 * }
 * ```
 */
export interface AcceptedFile {
  path: string;
  /** What the buffer should hold now; `null` when the task deletes the file. */
  content: string | null;
  /** The task's unified diff of this file, against the content that was submitted. */
  diff: string;
  /**
   * True when the buffer changed after the task was submitted, so the diff was applied to the
   * current buffer (hunks re-anchored) instead of replacing it with the task's content.
   */
  rebased: boolean;
  /**
   * Set when the buffer changed and the diff no longer applies to it: why. `content` is then
   * the task's content, which would overwrite the user's newer edits; let the user decide.
   */
  conflict?: string;
}

/** Builds the contents to apply for `files`, re-anchoring each diff on a buffer that changed since submit. */
export function resolveAcceptedFiles(
  files: readonly AgentTaskFile[],
  submitted: ReadonlyMap<string, string>,
  readCurrent: ((path: string) => string | undefined) | undefined,
): AcceptedFile[] {
  return files.map((file) => {
    const current = readCurrent?.(file.path);
    const before = submitted.get(file.path);
    if (current === undefined || before === undefined || current === before) {
      return { path: file.path, content: file.content, diff: file.diff, rebased: false };
    }
    let patches: ReturnType<typeof parseUnifiedDiff>;
    try {
      patches = parseUnifiedDiff(file.diff);
    } catch (error) {
      return conflictOf(file, `its diff could not be read (${error instanceof Error ? error.message : String(error)})`);
    }
    const patch = patches.find((candidate) => candidate.path === file.path) ?? patches[0];
    if (!patch) return conflictOf(file, 'its diff holds no changes to re-apply');
    const result = applyFilePatch(current, patch, { fuzz: 1 });
    if (!result.ok) return conflictOf(file, result.message);
    return { path: file.path, content: result.content, diff: file.diff, rebased: true };
  });
}

function conflictOf(file: AgentTaskFile, reason: string): AcceptedFile {
  return {
    path: file.path,
    content: file.content,
    diff: file.diff,
    rebased: false,
    conflict: `${file.path} changed since the task was submitted and ${reason}.`,
  };
}
