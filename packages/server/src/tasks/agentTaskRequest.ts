import { z } from 'zod';

/**
 * Caps on `POST /tasks` (and `POST /projects/:id/save`, which takes the same files). A request
 * past them is a 4xx that names the cap: 413 past `maxBodyBytes`, otherwise 400 with the
 * offending field in `details.issues`.
 *
 * @example
 * ```ts
 * createFragmentkit({ model, tasks: { limits: { maxFiles: 20, maxPromptChars: 4_000 } } });
 * ```
 */
export interface AgentTaskLimits {
  /** Files per request. Default 50. */
  maxFiles: number;
  /** UTF-8 bytes of one file. Default 200 000. */
  maxFileBytes: number;
  /** UTF-8 bytes of all files together. Default 1 000 000. */
  maxTotalFileBytes: number;
  /** Characters of the prompt. Default 8 000. */
  maxPromptChars: number;
  /** Bytes of the JSON body. Default 1 200 000. */
  maxBodyBytes: number;
}

/**
 * The default {@link AgentTaskLimits}.
 *
 * @example
 * ```ts
 * const limits = { ...defaultAgentTaskLimits, maxFiles: 10 };
 * ```
 */
export const defaultAgentTaskLimits: Readonly<AgentTaskLimits> = Object.freeze({
  maxFiles: 50,
  maxFileBytes: 200_000,
  maxTotalFileBytes: 1_000_000,
  maxPromptChars: 8_000,
  maxBodyBytes: 1_200_000,
});

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/**
 * The zod schema of a list of `{ path, content }` files within `limits`: unique paths, each
 * file and all of them together within their byte caps.
 *
 * @example
 * ```ts
 * const files = createFilesSchema(defaultAgentTaskLimits).parse(body.files);
 * ```
 */
export function createFilesSchema(limits: AgentTaskLimits) {
  return z
    .array(
      z
        .object({
          path: z.string().trim().min(1).max(1024),
          content: z.string().refine((content) => byteLength(content) <= limits.maxFileBytes, {
            message: `a file may hold at most ${limits.maxFileBytes} bytes`,
          }),
        })
        .strict(),
    )
    .min(1, 'send at least one file')
    .max(limits.maxFiles, `send at most ${limits.maxFiles} files`)
    .superRefine((files, context) => {
      const seen = new Set<string>();
      for (const [index, file] of files.entries()) {
        if (seen.has(file.path)) context.addIssue({ code: 'custom', path: [index, 'path'], message: 'duplicate path' });
        seen.add(file.path);
      }
      const total = files.reduce((sum, file) => sum + byteLength(file.content), 0);
      if (total > limits.maxTotalFileBytes) {
        context.addIssue({
          code: 'custom',
          message: `the files hold ${total} bytes together; at most ${limits.maxTotalFileBytes} are allowed`,
        });
      }
    });
}

/**
 * The zod schema of a `POST /tasks` body within `limits`. The cursor, when given, must point
 * into one of the files.
 *
 * @example
 * ```ts
 * const task = createAgentTaskRequestSchema(defaultAgentTaskLimits).parse(body);
 * ```
 */
export function createAgentTaskRequestSchema(limits: AgentTaskLimits) {
  return z
    .object({
      projectId: z.string().trim().min(1).max(200),
      files: createFilesSchema(limits),
      cursor: z
        .object({
          file: z.string().min(1).max(1024),
          line: z.number().int().min(1),
          col: z.number().int().min(1),
        })
        .strict()
        .optional(),
      prompt: z.string().trim().min(1, 'the prompt must not be empty').max(limits.maxPromptChars),
      mode: z.enum(['patch', 'explain', 'generate_test', 'lint_fix']),
    })
    .strict()
    .superRefine((task, context) => {
      if (task.cursor && !task.files.some((file) => file.path === task.cursor!.file)) {
        context.addIssue({
          code: 'custom',
          path: ['cursor', 'file'],
          message: 'the cursor must be in one of the files',
        });
      }
    });
}

/**
 * A validated `POST /tasks` body.
 *
 * @example
 * ```ts
 * const request: AgentTaskRequest = { projectId: 'web', files, prompt: 'Explain this', mode: 'explain' };
 * ```
 */
export type AgentTaskRequest = z.output<ReturnType<typeof createAgentTaskRequestSchema>>;

/**
 * The body of `POST /tasks/:id/accept` and `/reject`: the files to decide, all when absent.
 *
 * @example
 * ```ts
 * const { paths } = agentTaskDecisionSchema.parse({ paths: ['src/App.tsx'] });
 * ```
 */
export const agentTaskDecisionSchema = z
  .object({ paths: z.array(z.string().min(1).max(1024)).min(1).max(1000).optional() })
  .strict();
