/**
 * The preview runtime: the script every React preview frame loads from the host's server.
 * It is bundled on its own (React and ReactDOM included, production builds) into
 * `@fragmentkit/react/preview-runtime.js`, and never imported by the package's main entry.
 *
 * The frame's bootstrap defines `window.__fragmentkitPreview` with `report` and `ready`; this
 * script adds `run`, which the fragment's compiled module calls with its module body.
 */
import type { ElementType } from 'react';
import * as React from 'react';
import * as JsxRuntime from 'react/jsx-runtime';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import { previewGlobal } from './previewBootstrap.js';

type ModuleBody = (require: (specifier: string) => unknown, module: { exports: unknown }, exports: unknown) => void;

interface PreviewHost {
  report(kind: 'error', error: unknown): void;
  ready(): void;
  run(body: ModuleBody, filePath: string): void;
}

const modules: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['react', React],
  ['react/jsx-runtime', JsxRuntime],
  ['react-dom', ReactDOM],
  ['react-dom/client', ReactDOMClient],
]);

function requireModule(specifier: string): unknown {
  const found = modules.get(specifier);
  if (found === undefined) {
    throw new Error(
      `The preview cannot import "${specifier}": only react and react-dom are available. Inline the code, or use a sandbox template for other dependencies.`,
    );
  }
  return found;
}

function isComponent(value: unknown): value is ElementType {
  // Function components and classes, plus memo/forwardRef/lazy objects, which carry `$$typeof`.
  return typeof value === 'function' || (typeof value === 'object' && value !== null && '$$typeof' in value);
}

/** Tells the host once the fragment's first render is on screen. */
function PreviewRoot({ component, onReady }: { component: ElementType; onReady: () => void }) {
  React.useEffect(() => onReady(), [onReady]);
  return React.createElement(component);
}

function startRuntime(host: PreviewHost): void {
  host.run = (body, filePath) => {
    const module: { exports: unknown } = { exports: {} };
    try {
      body(requireModule, module, module.exports);
    } catch (error) {
      host.report('error', error);
      return;
    }
    const component = (module.exports as { default?: unknown } | null)?.default;
    if (!isComponent(component)) {
      host.report(
        'error',
        new Error(`${filePath} has no default export to render. Add \`export default function App() { ... }\`.`),
      );
      return;
    }
    const container = document.getElementById('root');
    if (!container) return;
    // Errors that escape rendering unmount the tree; report them directly rather than through
    // the window's error event, where a browser may hide the details of cross-origin scripts.
    const root = ReactDOMClient.createRoot(container, { onUncaughtError: (error) => host.report('error', error) });
    root.render(React.createElement(PreviewRoot, { component, onReady: host.ready }));
  };
}

const host = (window as unknown as Record<string, PreviewHost | undefined>)[previewGlobal];
if (host) startRuntime(host);
