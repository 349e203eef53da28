import { checkFragment, type Fragment } from '@fragmentkit/core';
import type { PreviewWarning } from './FragmentPreview.js';
import type { PreviewFragment } from './previewKind.js';

/**
 * What `<FragmentPreview>` checks a fragment it renders with, unless given other `checks`:
 * core's `checkFragment` with the fragment's template treated as a browser preview, so it
 * finds APIs the preview blocks (`fetch`, `document.cookie`, `localStorage`, `eval`, top-level
 * navigation) and imports outside the template's allowlist, each with its line.
 *
 * @example
 * ```tsx
 * import { FragmentPreview, previewChecks } from '@fragmentkit/react';
 *
 * const noAlerts = (fragment: PreviewFragment) =>
 *   fragment.code.includes('alert(') ? [{ rule: 'no-alert', message: 'alert() is blocked.', line: 0, column: 0, severity: 'warning' as const }] : [];
 *
 * <FragmentPreview fragment={fragment} checks={(fragment) => [...previewChecks(fragment), ...noAlerts(fragment)]} />;
 * ```
 */
export function previewChecks(fragment: PreviewFragment): PreviewWarning[] {
  // A full Fragment passed in keeps its dependencies and files; the rest only fills the shape.
  const checkable: Fragment = {
    commentary: '',
    title: '',
    description: '',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    ...fragment,
  };
  return checkFragment(checkable, { browserTemplates: [fragment.template] }).findings;
}
