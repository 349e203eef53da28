import type { TemplateId } from '../prompt/templates.js';
import type { PackageManager, SandboxLanguage } from './sandboxProvider.js';

/**
 * How {@link runFragment} runs a template's fragments:
 * - `code`: the main file's code runs as a snippet (a code-interpreter cell on E2B);
 * - `script`: `command` runs to its end;
 * - `server`: `command` starts a server on `port` (the fragment's `port` wins) and the result carries its URL;
 * - `browser`: nothing runs in a sandbox; the browser preview renders the code.
 *
 * In `command`, `{file}` is replaced by the shell-quoted main file path and `{port}` by the port.
 *
 * @example
 * ```ts
 * const fastapi: FragmentRunPlan = {
 *   kind: 'server',
 *   command: 'uvicorn main:app --host 0.0.0.0 --port {port}',
 *   port: 8000,
 *   packageManager: 'pip',
 * };
 * await runFragment(provider, fragment, { plans: { 'fastapi-developer': fastapi } });
 * ```
 */
export type FragmentRunPlan =
  | { kind: 'code'; language: SandboxLanguage; packageManager: PackageManager }
  | { kind: 'script'; command: string; packageManager: PackageManager }
  | { kind: 'server'; command: string; port: number; packageManager: PackageManager }
  | { kind: 'browser'; packageManager: PackageManager };

/**
 * Run plans of the built-in templates. The server commands are those the Fragments E2B
 * templates start with; on E2B those servers already run when the sandbox starts.
 *
 * @example
 * ```ts
 * import { defaultFragmentRunPlans } from '@fragmentkit/core';
 * defaultFragmentRunPlans['streamlit-developer'].kind; // 'server'
 * ```
 */
export const defaultFragmentRunPlans: Readonly<Record<TemplateId, FragmentRunPlan>> = Object.freeze({
  'code-interpreter-v1': { kind: 'code', language: 'python', packageManager: 'pip' },
  'nextjs-developer': { kind: 'server', command: 'npx next dev --port {port}', port: 3000, packageManager: 'npm' },
  'vue-developer': { kind: 'server', command: 'npx nuxi dev --port {port}', port: 3000, packageManager: 'npm' },
  'streamlit-developer': {
    kind: 'server',
    command: 'streamlit run {file} --server.port {port} --server.headless true',
    port: 8501,
    packageManager: 'pip',
  },
  'gradio-developer': {
    kind: 'server',
    command: 'GRADIO_SERVER_PORT={port} gradio {file}',
    port: 7860,
    packageManager: 'pip',
  },
  'react-preview': { kind: 'browser', packageManager: 'npm' },
});

/**
 * The run plan of `template`: from `plans` first, then {@link defaultFragmentRunPlans}.
 *
 * @example
 * ```ts
 * import { fragmentRunPlan } from '@fragmentkit/core';
 * fragmentRunPlan('code-interpreter-v1'); // { kind: 'code', language: 'python', packageManager: 'pip' }
 * fragmentRunPlan('unknown-template'); // undefined
 * ```
 */
export function fragmentRunPlan(
  template: string,
  plans?: Readonly<Record<string, FragmentRunPlan>>,
): FragmentRunPlan | undefined {
  if (plans && Object.hasOwn(plans, template)) return plans[template];
  return Object.hasOwn(defaultFragmentRunPlans, template) ? defaultFragmentRunPlans[template as TemplateId] : undefined;
}

/**
 * Quotes `value` as one word for a POSIX shell.
 *
 * @example
 * ```ts
 * shellQuote("it's.py"); // `'it'\''s.py'`
 * ```
 */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Fills in a plan's command: `{file}` becomes the shell-quoted path and `{port}` the port.
 *
 * @example
 * ```ts
 * renderRunCommand('streamlit run {file} --server.port {port}', { file: 'app.py', port: 8501 });
 * // 'streamlit run app.py --server.port 8501'
 * ```
 */
export function renderRunCommand(command: string, values: { file: string; port?: number }): string {
  return command.replaceAll('{file}', shellQuote(values.file)).replaceAll('{port}', String(values.port ?? ''));
}
