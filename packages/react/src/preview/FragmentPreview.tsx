import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { defaultEndpoint, useOptionalFragmentkit } from '../FragmentkitProvider.js';
import { bootstrapSourceName } from './previewBootstrap.js';
import { previewChecks } from './previewChecks.js';
import { htmlPreviewDocument, reactPreviewDocument } from './previewDocument.js';
import { type PreviewFragment, type PreviewKind, previewKindOf } from './previewKind.js';
import { readPreviewMessage } from './previewMessage.js';
import { type PreviewRuntimeError, toPreviewRuntimeError } from './previewRuntimeError.js';
import { type PreviewIsolation, parsePreviewUrl, srcdocSandbox, urlSandboxFor } from './previewSandbox.js';

/**
 * A finding about a fragment's code, e.g. from core's static checks, shown above the preview.
 *
 * @example
 * ```ts
 * const warning: PreviewWarning = {
 *   rule: 'no-network',
 *   message: '`fetch` makes network requests, which the preview does not allow.',
 *   line: 4,
 *   column: 3,
 *   severity: 'warning',
 *   file: 'App.tsx',
 * };
 * ```
 */
export interface PreviewWarning {
  rule: string;
  message: string;
  /** 1-based; 0 for findings about the fragment rather than a place in it. */
  line: number;
  column: number;
  severity: 'error' | 'warning';
  file?: string;
}

/**
 * Where a preview is: `compiling` (transpiling in the page), `loading` (the frame is
 * starting), `ready` (the fragment rendered, or the page loaded), `failed` (it did not
 * compile or the URL is not one it may frame), `idle` (nothing to show: a sandbox fragment
 * without a URL). Exposed as the `data-state` attribute.
 *
 * @example
 * ```css
 * .fk-preview[data-state='loading'] .fk-preview-frame { opacity: 0.5; }
 * ```
 */
export type PreviewStatus = 'compiling' | 'loading' | 'ready' | 'failed' | 'idle';

/**
 * Props of {@link FragmentPreview}.
 *
 * @example
 * ```tsx
 * const props: FragmentPreviewProps = {
 *   fragment,
 *   runtimeUrl: '/api/fragmentkit/preview/runtime.js',
 *   onRuntimeError: (error) => setLastError(error),
 * };
 * <FragmentPreview {...props} />;
 * ```
 */
export interface FragmentPreviewProps {
  /** The fragment to show; pass it once complete (e.g. when the chat status is `done`). */
  fragment: PreviewFragment;
  /**
   * URL of the fragment running in a sandbox (E2B or the local sandbox), for templates that
   * serve a web app. When given, it is framed instead of rendering the code.
   */
  url?: string;
  /**
   * Where preview frames load the runtime (React plus a renderer) from. Defaults to
   * `{endpoint}/preview/runtime.js` of the nearest `FragmentkitProvider`, which
   * `@fragmentkit/server` serves when created with `preview: { runtime }`.
   */
  runtimeUrl?: string;
  /**
   * Called for each compile error, uncaught error, unhandled rejection and `console.error` of
   * the preview, with the stack parsed: ready to attach as context for a fix.
   */
  onRuntimeError?: (error: PreviewRuntimeError) => void;
  /**
   * Checks code the preview renders itself (React and HTML fragments) before it runs;
   * findings are listed above the frame, which runs anyway: it is locked down either way, and
   * the list says why a `fetch` fails. Defaults to {@link previewChecks} for React fragments;
   * `false` turns checking off. Pass a stable function.
   */
  checks?: ((fragment: PreviewFragment) => readonly PreviewWarning[]) | false;
  /** How a sandbox `url` is isolated; see {@link PreviewIsolation}. Default `auto`. */
  isolation?: PreviewIsolation;
  /** Overrides how the fragment is shown, e.g. `react` for a custom browser template. */
  renderAs?: Exclude<PreviewKind, 'url'>;
  /** Show the latest error under the frame. Default true. */
  showErrors?: boolean;
  /** Accessible name of the frame. Defaults to the fragment's title. */
  title?: string;
  className?: string;
}

interface PreviewFrame {
  id: number;
  srcDoc?: string;
  src?: string;
  sandbox: string;
}

const maxKeptErrors = 20;

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

function pageOrigin(): string {
  return window.location.origin === 'null' ? '*' : window.location.origin;
}

/** Resolves the runtime URL against the page: the frame's CSP needs it absolute. */
function absoluteUrl(url: string): string {
  return new URL(url, window.location.href).href;
}

function ErrorSummary({ errors }: { errors: readonly PreviewRuntimeError[] }) {
  const latest = errors.at(-1);
  if (!latest) return null;
  const frame = latest.frames.find((candidate) => candidate.inApp);
  return (
    <div className="fk-preview-error" role="alert" data-kind={latest.kind}>
      <strong className="fk-preview-error-message">
        {latest.name}: {latest.message}
      </strong>
      {frame?.line !== undefined ? (
        <span className="fk-preview-error-location">
          {' '}
          at {frame.function ? `${frame.function} ` : ''}({frame.file}:{frame.line}
          {frame.column === undefined ? '' : `:${frame.column}`})
        </span>
      ) : null}
      {errors.length > 1 ? <span className="fk-preview-error-count"> (+{errors.length - 1} earlier)</span> : null}
    </div>
  );
}

/**
 * Shows a fragment live in a locked-down `<iframe>`. Single-file React fragments (the
 * `react-preview` template) are transpiled in the page and rendered by a runtime the host's
 * server provides; `.html` fragments are shown as they are. Both run from `srcdoc` with
 * `sandbox="allow-scripts"` (an opaque origin: no access to the page's cookies, storage or
 * DOM) and a Content-Security-Policy that lets them load nothing: no `fetch`, images only from
 * `data:`/`blob:`, no forms or frames. Errors inside reach `onRuntimeError`, with the stack
 * parsed. With `url`, a fragment running in a sandbox is framed instead, with reload and
 * open-in-new-tab buttons.
 *
 * A frame can still navigate itself (`location.href = ...`), which no CSP directive stops;
 * add `frame-src` to the host page's own CSP to limit where frames may go.
 *
 * Unstyled, it is a `div.fk-preview` with a toolbar, the frame and the latest error; import
 * `@fragmentkit/react/styles.css` or style the `fk-preview` classes.
 *
 * @example
 * ```tsx
 * import { FragmentPreview, useFragmentChat } from '@fragmentkit/react';
 * import type { Fragment } from '@fragmentkit/core';
 *
 * function Result() {
 *   const chat = useFragmentChat();
 *   if (chat.status !== 'done' || !chat.fragment) return null;
 *   return (
 *     <FragmentPreview
 *       fragment={chat.fragment as Fragment}
 *       onRuntimeError={(error) => console.warn(error.message, error.frames[0])}
 *     />
 *   );
 * }
 * ```
 */
export function FragmentPreview({
  fragment,
  url,
  runtimeUrl,
  onRuntimeError,
  checks,
  isolation = 'auto',
  renderAs,
  showErrors = true,
  title,
  className,
}: FragmentPreviewProps) {
  const context = useOptionalFragmentkit();
  const runtime = runtimeUrl ?? `${(context?.endpoint ?? defaultEndpoint).replace(/\/+$/, '')}/preview/runtime.js`;
  const kind: PreviewKind = url !== undefined ? 'url' : (renderAs ?? previewKindOf(fragment, url));
  const { code, file_path: filePath } = fragment;
  const frameRef = useRef<HTMLIFrameElement>(null);
  const [frame, setFrame] = useState<PreviewFrame | null>(null);
  const [status, setStatus] = useState<PreviewStatus>(kind === 'sandbox' ? 'idle' : 'loading');
  const [errors, setErrors] = useState<readonly PreviewRuntimeError[]>([]);
  const [reloads, setReloads] = useState(0);
  const frameCount = useRef(0);
  const onRuntimeErrorRef = useRef(onRuntimeError);
  useEffect(() => {
    onRuntimeErrorRef.current = onRuntimeError;
  });

  const check = checks ?? (kind === 'react' ? previewChecks : false);
  const rendersCode = kind === 'react' || kind === 'html';
  const warnings = useMemo(() => (check && rendersCode ? check(fragment) : []), [check, rendersCode, fragment]);

  const addError = useCallback((error: PreviewRuntimeError) => {
    setErrors((previous) => [...previous.slice(-(maxKeptErrors - 1)), error]);
    onRuntimeErrorRef.current?.(error);
  }, []);

  // Builds the frame in an effect, never during render: it reads the page's location, makes a
  // random nonce and loads the compiler, none of which exist on a server.
  useEffect(() => {
    let cancelled = false;
    const show = (next: Omit<PreviewFrame, 'id'>) => {
      frameCount.current += 1;
      setFrame({ id: frameCount.current, ...next });
    };
    setErrors([]);
    setFrame(null);
    if (kind === 'sandbox') {
      setStatus('idle');
    } else if (kind === 'url') {
      const parsed = parsePreviewUrl(url ?? '', window.location.href);
      if (parsed) {
        setStatus('loading');
        show({ src: parsed.href, sandbox: urlSandboxFor(parsed, window.location.href, isolation) });
      } else {
        setStatus('failed');
      }
    } else if (kind === 'html') {
      setStatus('loading');
      show({ srcDoc: htmlPreviewDocument({ html: code, parentOrigin: pageOrigin() }), sandbox: srcdocSandbox });
    } else {
      setStatus('compiling');
      import('./compilePreviewModule.js')
        .then(({ compilePreviewModule }) => {
          if (cancelled) return;
          const compiled = compilePreviewModule(code, filePath);
          if (!compiled.ok) {
            setStatus('failed');
            addError(compiled.error);
            return;
          }
          setStatus('loading');
          show({
            srcDoc: reactPreviewDocument({
              compiledCode: compiled.code,
              filePath,
              runtimeUrl: absoluteUrl(runtime),
              parentOrigin: pageOrigin(),
              nonce: randomNonce(),
            }),
            sandbox: srcdocSandbox,
          });
        })
        .catch((thrown: unknown) => {
          if (cancelled) return;
          setStatus('failed');
          const message = `The preview compiler did not load: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
          addError(
            toPreviewRuntimeError({ kind: 'compile', name: 'Error', message, stack: '' }, { filePath, ownFiles: [] }),
          );
        });
    }
    return () => {
      cancelled = true;
    };
  }, [kind, code, filePath, url, runtime, isolation, addError]);

  // Messages are accepted only from this preview's own frame: its origin is opaque (`null`),
  // so the source window is the one thing that identifies it. Framed URLs are not ours to trust.
  useEffect(() => {
    if (kind !== 'react' && kind !== 'html') return;
    const ownFiles = [bootstrapSourceName, absoluteUrl(runtime)];
    function onMessage(event: MessageEvent) {
      const contentWindow = frameRef.current?.contentWindow;
      if (!contentWindow || event.source !== contentWindow) return;
      const message = readPreviewMessage(event.data);
      if (!message) return;
      if (message.type === 'ready') {
        setStatus('ready');
        return;
      }
      const { type: _type, ...report } = message;
      setStatus((current) => (current === 'ready' ? current : 'failed'));
      addError(toPreviewRuntimeError(report, { filePath, ownFiles }));
    }
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [kind, runtime, filePath, addError]);

  // A new key mounts a new frame: the only way to reload a cross-origin page, and for srcdoc a
  // fresh document with no state left from the last run.
  function reload() {
    setErrors([]);
    setStatus('loading');
    setReloads((count) => count + 1);
  }

  const frameTitle = title ?? fragment.title ?? 'Fragment preview';
  const classes = className ? `fk-preview ${className}` : 'fk-preview';
  return (
    <div className={classes} data-state={status} data-kind={kind}>
      {kind !== 'sandbox' ? (
        <div className="fk-preview-toolbar">
          {frame?.src ? <span className="fk-preview-url">{frame.src}</span> : null}
          <button type="button" className="fk-button" onClick={reload} disabled={!frame}>
            Reload
          </button>
          {frame?.src ? (
            <a className="fk-button" href={frame.src} target="_blank" rel="noopener noreferrer">
              Open in new tab
            </a>
          ) : null}
        </div>
      ) : null}
      {warnings.length > 0 ? (
        <ul className="fk-preview-warnings" aria-label="Preview warnings">
          {warnings.map((warning, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: findings have no identity beyond their position
            <li key={index} className="fk-preview-warning" data-severity={warning.severity} data-rule={warning.rule}>
              {warning.line > 0 ? `${warning.file ?? filePath}:${warning.line}:${warning.column} ` : ''}
              {warning.message}
            </li>
          ))}
        </ul>
      ) : null}
      {kind === 'sandbox' ? (
        <p className="fk-preview-empty">
          This fragment runs in a sandbox ({fragment.template}); its preview appears once the sandbox serves a URL.
        </p>
      ) : null}
      {kind === 'url' && status === 'failed' ? (
        <p className="fk-preview-empty">Only http and https URLs can be previewed.</p>
      ) : null}
      {frame ? (
        <iframe
          key={`${frame.id}:${reloads}`}
          ref={frameRef}
          className="fk-preview-frame"
          title={frameTitle}
          sandbox={frame.sandbox}
          {...(frame.srcDoc !== undefined ? { srcDoc: frame.srcDoc } : { src: frame.src })}
          referrerPolicy="no-referrer"
          onLoad={kind === 'react' ? undefined : () => setStatus('ready')}
        />
      ) : null}
      {showErrors ? <ErrorSummary errors={errors} /> : null}
    </div>
  );
}
