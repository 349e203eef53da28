/** Ids of the built-in {@link templates}. */
export type TemplateId =
  | 'code-interpreter-v1'
  | 'nextjs-developer'
  | 'vue-developer'
  | 'streamlit-developer'
  | 'gradio-developer'
  | 'react-preview';

/**
 * An environment a fragment runs in: what is preinstalled, which file the model writes, which
 * port the app serves on, and whether it runs in a sandbox or in the browser preview.
 *
 * @example
 * ```ts
 * import type { Template } from '@fragmentkit/core';
 *
 * const fastapi: Template = {
 *   id: 'fastapi-developer',
 *   name: 'FastAPI developer',
 *   lib: ['fastapi', 'uvicorn', 'pydantic'],
 *   file: 'main.py',
 *   instructions: 'A FastAPI service. Define `app = FastAPI()`; it is started with uvicorn.',
 *   port: 8000,
 *   runtime: 'sandbox',
 * };
 * ```
 */
export interface Template {
  /** Stable id, sent back by the model in the fragment's `template` field. */
  id: string;
  /** Human-readable name. */
  name: string;
  /** Libraries already installed; anything else is an additional dependency. */
  lib: string[];
  /** The main file the model writes, relative to the project root. */
  file: string;
  /** What to build and how, in a sentence or two. */
  instructions: string;
  /** Port the app listens on, or `null` when it does not serve (scripts, browser previews). */
  port: number | null;
  /** `sandbox`: runs in a remote or local sandbox. `browser`: rendered in the iframe preview. */
  runtime: 'sandbox' | 'browser';
}

/**
 * The built-in templates, compatible with the template ids of e2b-dev/fragments plus
 * `react-preview`, which needs no sandbox.
 *
 * @example
 * ```ts
 * import { buildSystemPrompt, templates } from '@fragmentkit/core';
 *
 * const system = buildSystemPrompt({ templates: [templates['react-preview'], templates['nextjs-developer']] });
 * ```
 */
export const templates: Readonly<Record<TemplateId, Template>> = {
  'code-interpreter-v1': {
    id: 'code-interpreter-v1',
    name: 'Python data analyst',
    lib: ['python', 'jupyter', 'numpy', 'pandas', 'matplotlib', 'seaborn', 'plotly'],
    file: 'script.py',
    instructions:
      'A Python script run top to bottom, like a notebook cell. Use it for data analysis, calculations and charts. ' +
      'Print results and show figures; there is no web server.',
    port: null,
    runtime: 'sandbox',
  },
  'nextjs-developer': {
    id: 'nextjs-developer',
    name: 'Next.js developer',
    lib: [
      'nextjs@14.2.5',
      'typescript',
      '@types/node',
      '@types/react',
      '@types/react-dom',
      'postcss',
      'tailwindcss',
      'shadcn',
    ],
    file: 'pages/index.tsx',
    instructions:
      'A Next.js 13+ app using the pages router, written in TypeScript. Put the page in pages/index.tsx and ' +
      'style it with Tailwind CSS classes. The dev server is already running and reloads on change.',
    port: 3000,
    runtime: 'sandbox',
  },
  'vue-developer': {
    id: 'vue-developer',
    name: 'Vue.js developer',
    lib: ['vue@latest', 'nuxt.js@3.13.0', 'tailwindcss'],
    file: 'app.vue',
    instructions:
      'A Vue 3 app on Nuxt 3. Write a single-file component in app.vue using <script setup lang="ts"> and ' +
      'Tailwind CSS classes. The dev server is already running and reloads on change.',
    port: 3000,
    runtime: 'sandbox',
  },
  'streamlit-developer': {
    id: 'streamlit-developer',
    name: 'Streamlit developer',
    lib: ['streamlit', 'pandas', 'numpy', 'matplotlib', 'requests', 'seaborn', 'plotly'],
    file: 'app.py',
    instructions:
      'An interactive Streamlit app in app.py: widgets, tables and charts for data exploration. ' +
      'It is started with `streamlit run app.py`.',
    port: 8501,
    runtime: 'sandbox',
  },
  'gradio-developer': {
    id: 'gradio-developer',
    name: 'Gradio developer',
    lib: ['gradio', 'pandas', 'numpy', 'matplotlib', 'requests', 'seaborn', 'plotly'],
    file: 'app.py',
    instructions:
      'A Gradio app in app.py, typically a demo with inputs and outputs around a function. Build the UI with ' +
      'gr.Blocks or gr.Interface in a variable named `demo`; the sandbox serves it on port 7860.',
    port: 7860,
    runtime: 'sandbox',
  },
  'react-preview': {
    id: 'react-preview',
    name: 'React preview',
    lib: ['react'],
    file: 'App.tsx',
    instructions:
      'A single-file React component rendered live in the browser preview. Default-export the component from ' +
      'App.tsx, write TypeScript, import nothing but react, and style with inline styles or a <style> element.',
    port: null,
    runtime: 'browser',
  },
};

/**
 * The templates offered to the model when none are configured: all built-in ones.
 *
 * @example
 * ```ts
 * import { defaultTemplateIds, templates } from '@fragmentkit/core';
 * const offered = defaultTemplateIds.map((id) => templates[id]);
 * ```
 */
export const defaultTemplateIds: TemplateId[] = [
  'code-interpreter-v1',
  'nextjs-developer',
  'vue-developer',
  'streamlit-developer',
  'gradio-developer',
  'react-preview',
];
