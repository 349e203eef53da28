/**
 * How the provider uses one E2B template.
 *
 * @example
 * ```ts
 * const fastapi: E2BTemplateOptions = { template: 'my-fastapi-template', workDir: '/home/user', servesPort: 8000 };
 * ```
 */
export interface E2BTemplateOptions {
  /** E2B template name or id. */
  template: string;
  /** Where fragment files are written and commands run. */
  workDir: string;
  /** Created through `@e2b/code-interpreter`; code snippets run as Jupyter cells. */
  codeInterpreter?: boolean;
  /**
   * The port the template's own start command serves (with hot reload), so `start()` on it
   * returns the URL instead of starting a second server.
   */
  servesPort?: number;
}

/**
 * The E2B templates of e2b-dev/fragments, keyed by fragmentkit template id. Their web
 * templates start their dev server with the sandbox, in `/home/user`.
 *
 * @example
 * ```ts
 * import { createE2BSandboxProvider, fragmentsE2BTemplates } from '@fragmentkit/core/e2b';
 *
 * createE2BSandboxProvider({
 *   templates: { ...fragmentsE2BTemplates, 'nextjs-developer': { ...fragmentsE2BTemplates['nextjs-developer'], template: 'my-nextjs' } },
 * });
 * ```
 */
export const fragmentsE2BTemplates: Readonly<Record<string, E2BTemplateOptions>> = Object.freeze({
  'code-interpreter-v1': { template: 'code-interpreter-v1', workDir: '/home/user', codeInterpreter: true },
  'nextjs-developer': { template: 'nextjs-developer', workDir: '/home/user', servesPort: 3000 },
  'vue-developer': { template: 'vue-developer', workDir: '/home/user', servesPort: 3000 },
  'streamlit-developer': { template: 'streamlit-developer', workDir: '/home/user', servesPort: 8501 },
  'gradio-developer': { template: 'gradio-developer', workDir: '/home/user', servesPort: 7860 },
});
