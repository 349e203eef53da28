/** Task failure codes that are more precise than the error code the queue sees (`INVALID_REQUEST`). */
const taskCodes = new Set(['PATCH_INVALID', 'PATCH_NOT_APPLICABLE']);

/**
 * The `error` of a failed task's view, from the error of its last attempt (as thrown, or as the
 * queue kept it): the task's own code where there is one (`PATCH_NOT_APPLICABLE`, ...), and
 * for unexpected errors a message that leaks no server internals.
 *
 * @example
 * ```ts
 * agentTaskErrorOf({ code: 'INTERNAL', message: 'connection to 10.0.0.3 refused' });
 * // { code: 'INTERNAL', message: 'The task failed on the server; the server log has the details.' }
 * ```
 */
export function agentTaskErrorOf(error: {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}): { code: string; message: string } {
  const reason = error.details?.reason;
  if (typeof reason === 'string' && taskCodes.has(reason)) return { code: reason, message: error.message };
  if (error.code === 'INTERNAL') {
    return { code: 'INTERNAL', message: 'The task failed on the server; the server log has the details.' };
  }
  return { code: error.code, message: error.message };
}
