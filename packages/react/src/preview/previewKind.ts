import { type Fragment, templates } from '@fragmentkit/core';

/**
 * The part of a fragment a preview needs. A complete `Fragment` fits; a partial one while it
 * streams does not, because half a module would only flash errors.
 *
 * @example
 * ```ts
 * const fragment: PreviewFragment = {
 *   template: 'react-preview',
 *   file_path: 'App.tsx',
 *   code: 'export default function App() { return <h1>Hello</h1>; }',
 * };
 * ```
 */
export type PreviewFragment = Pick<Fragment, 'template' | 'file_path' | 'code'> & { title?: string };

/**
 * How a fragment is shown: `react` (its default export rendered in the browser), `html` (the
 * markup itself), `url` (a running sandbox's URL), or `sandbox` (it needs a sandbox and no
 * URL was given yet).
 *
 * @example
 * ```tsx
 * // A custom template that is plain React, rendered in the browser like react-preview:
 * <FragmentPreview fragment={fragment} renderAs="react" />
 * ```
 */
export type PreviewKind = 'react' | 'html' | 'url' | 'sandbox';

/** Built-in templates with `runtime: 'browser'` render as React; `.html` files as markup. */
export function previewKindOf(fragment: PreviewFragment, url: string | undefined): PreviewKind {
  if (url !== undefined) return 'url';
  if (/\.html?$/i.test(fragment.file_path)) return 'html';
  const template = (templates as Readonly<Record<string, { runtime: string } | undefined>>)[fragment.template];
  return template?.runtime === 'browser' ? 'react' : 'sandbox';
}
