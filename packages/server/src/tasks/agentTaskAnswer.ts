import {
  applyPatchSet,
  createUnifiedDiff,
  type ExtractedDiffs,
  extractDiffs,
  FragmentkitError,
} from '@fragmentkit/core';
import type { AgentTaskMode, AgentTaskResult, AgentTaskSource } from './agentTaskView.js';

/**
 * Why a model's answer could not become a task result: `PATCH_INVALID` (a diff that cannot be
 * read) or `PATCH_NOT_APPLICABLE` (a diff that does not apply, or a change the mode does not allow).
 *
 * @example
 * ```ts
 * try { readAgentTaskAnswer('patch', input, answer); } catch (error) {
 *   if (error instanceof AgentTaskAnswerError) console.log(error.taskCode, error.message);
 * }
 * ```
 */
export class AgentTaskAnswerError extends FragmentkitError {
  readonly taskCode: 'PATCH_INVALID' | 'PATCH_NOT_APPLICABLE';

  constructor(taskCode: 'PATCH_INVALID' | 'PATCH_NOT_APPLICABLE', message: string, details?: Record<string, unknown>) {
    // A 4xx code that is not retryable: another attempt on the same answer cannot fix it.
    super('INVALID_REQUEST', message, { details: { reason: taskCode, ...details } });
    this.taskCode = taskCode;
  }
}

/**
 * Turns a model's answer into a task result: core's `extractDiffs` splits diffs from the
 * explanation, `applyPatchSet` applies them to the submitted files (re-anchoring hunks by
 * content when the line numbers are off), and each changed file gets a canonical diff from its
 * submitted version and its new content. `explain` keeps the prose only. New files are allowed
 * for `generate_test` only; deleting and renaming files are never.
 *
 * @throws {AgentTaskAnswerError} when a diff is malformed, does not apply, or does what the mode does not allow.
 *
 * @example
 * ```ts
 * const result = readAgentTaskAnswer('patch', { files, prompt }, answerText);
 * for (const file of result.files) console.log(file.path, file.diff);
 * ```
 */
export function readAgentTaskAnswer(mode: AgentTaskMode, input: AgentTaskSource, answer: string): AgentTaskResult {
  let extracted: ExtractedDiffs;
  try {
    extracted = extractDiffs(answer);
  } catch (error) {
    if (mode === 'explain') return { explanation: answer.trim(), files: [] };
    const message = error instanceof Error ? error.message : String(error);
    throw new AgentTaskAnswerError('PATCH_INVALID', `The model's diff could not be read: ${message}`);
  }
  if (mode === 'explain') return { explanation: extracted.explanation, files: [] };

  const submitted = new Map(input.files.map((file) => [file.path, file.content]));
  for (const patch of extracted.diffs) {
    if (patch.type === 'delete' || patch.type === 'rename') {
      throw new AgentTaskAnswerError(
        'PATCH_NOT_APPLICABLE',
        `The model's answer would ${patch.type} ${patch.path}; agent tasks only change files${mode === 'generate_test' ? ' and add new ones' : ''}.`,
        { path: patch.path },
      );
    }
    if (patch.type === 'add' && mode !== 'generate_test') {
      throw new AgentTaskAnswerError(
        'PATCH_NOT_APPLICABLE',
        `The model's answer creates ${patch.path}, but only generate_test tasks may add files; submit the file (even empty) to let a ${mode} task change it.`,
        { path: patch.path },
      );
    }
  }
  const outcome = applyPatchSet(input.files, extracted.diffs);
  if (!outcome.ok) {
    const failed = outcome.results.find((entry) => !entry.result.ok);
    const reason = failed && !failed.result.ok ? failed.result : undefined;
    throw new AgentTaskAnswerError(
      'PATCH_NOT_APPLICABLE',
      `The model's diff for ${failed?.path ?? 'a file'} does not apply to the submitted file: ${reason?.message ?? 'unknown reason'}`,
      { path: failed?.path, applyReason: reason?.reason, hunkIndex: reason?.hunkIndex },
    );
  }
  const changedPaths = [...new Set(extracted.diffs.map((patch) => patch.path))];
  const files = changedPaths.flatMap((path) => {
    const after = outcome.files.find((file) => normalise(file.path) === normalise(path));
    if (!after) return [];
    const before = [...submitted].find(([submittedPath]) => normalise(submittedPath) === normalise(path));
    const diff = createUnifiedDiff(after.path, before ? before[1] : null, after.content);
    return diff === '' ? [] : [{ path: after.path, diff, content: after.content, status: 'pending' as const }];
  });
  return { explanation: extracted.explanation, files };
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '');
}
