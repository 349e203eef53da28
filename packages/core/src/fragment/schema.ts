import { z } from 'zod';

/**
 * One file of a multi-file fragment.
 *
 * @example
 * ```ts
 * const file: FragmentFile = { file_path: 'src/App.tsx', code: 'export default () => null;' };
 * ```
 */
export const fragmentFileSchema = z.object({
  file_path: z.string().min(1).describe('Relative path of the file, e.g. "pages/index.tsx".'),
  code: z.string().describe('The complete contents of the file.'),
});

/**
 * The fragment schema: what the model produces. Field names are compatible with
 * e2b-dev/fragments, plus `files` for multi-file fragments.
 *
 * @example
 * ```ts
 * import { fragmentSchema } from '@fragmentkit/core';
 * const fragment = fragmentSchema.parse(JSON.parse(modelOutput));
 * console.log(fragment.title, fragment.code);
 * ```
 */
export const fragmentSchema = z.object({
  commentary: z.string().describe('Describe what you are about to do and the steps you will take, in a few sentences.'),
  template: z.string().describe('Id of the template the fragment runs in.'),
  title: z.string().describe('Short title of the fragment, at most 3 words.'),
  description: z.string().describe('Short description of the fragment, one sentence.'),
  additional_dependencies: z
    .array(z.string())
    .describe('Dependencies to install beyond those the template already has.'),
  has_additional_dependencies: z.boolean().describe('Whether additional_dependencies is non-empty.'),
  install_dependencies_command: z
    .string()
    .describe('Command that installs the additional dependencies, e.g. "npm i a b"; empty if none.'),
  port: z.number().int().nullable().describe('Port the app listens on, or null when it does not serve.'),
  file_path: z.string().describe('Relative path of the main file.'),
  code: z.string().describe('The complete code of the main file. Only runnable code, no Markdown fences.'),
  files: z
    .array(fragmentFileSchema)
    .optional()
    .describe('Further files of a multi-file fragment, besides the main file.'),
});

/** A complete, schema-valid fragment. */
export type Fragment = z.output<typeof fragmentSchema>;
/** One file of a multi-file fragment. */
export type FragmentFile = z.output<typeof fragmentFileSchema>;

/** Recursively optional: the shape of a fragment while it is still streaming. */
export type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** A fragment while the model is still writing it. */
export type PartialFragment = DeepPartial<Fragment>;
