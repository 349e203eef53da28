import { previewBootstrapScript, previewGlobal, runtimeScriptAttribute } from './previewBootstrap.js';

/**
 * The Content-Security-Policy of every preview document. Nothing may be fetched: no
 * `connect-src`, no frames, no forms, images and media only from `data:`/`blob:` (which the
 * frame makes itself), scripts only from `scriptSources`.
 */
export function previewContentSecurityPolicy(scriptSources: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scriptSources.join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    'font-src data:',
    'media-src data: blob:',
    "connect-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Makes code safe to put between `<script>` and `</script>`: the HTML parser ends a script at
 * `</script` and changes state at `<!--`, so both are escaped the way they would be inside a
 * string, template or regular expression literal (`<\/script`, `<\x21--`), where they mean
 * the same. Compiled JSX has them nowhere else.
 */
export function escapeInlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\x21--');
}

/** A file path as a `sourceURL`: no whitespace or characters that could end the comment. */
export function sourceNameFor(filePath: string): string {
  return filePath.replace(/[^\w./@-]/g, '_') || 'fragment.js';
}

/**
 * A CSP source expression for a URL: `;` and `,` separate directives and policies, so they
 * are percent-encoded (the runtime's `<script src>` uses the same string).
 */
function cspSafeUrl(url: string): string {
  return url.replace(/;/g, '%3B').replace(/,/g, '%2C');
}

/** Options of {@link reactPreviewDocument}. */
export interface ReactPreviewDocumentOptions {
  /** The module body from `compilePreviewModule`. */
  compiledCode: string;
  filePath: string;
  /** Absolute URL of the preview runtime script. */
  runtimeUrl: string;
  /** Origin of the host page; the frame posts its messages only there. `*` when the host has none. */
  parentOrigin: string;
  /** Random per document; the only inline scripts that run carry it. */
  nonce: string;
}

/**
 * The `srcdoc` of a React preview: the CSP first, then the bootstrap, the runtime (React
 * and a renderer, from the host's server) and the fragment's compiled module, which the
 * runtime evaluates with its own React and renders as the default export.
 *
 * The module's script is named after the file (`//# sourceURL`) and its body starts on the
 * script's first line, so stack frames read `App.tsx:12:5` with the source's line numbers.
 */
export function reactPreviewDocument(options: ReactPreviewDocumentOptions): string {
  const runtimeUrl = cspSafeUrl(options.runtimeUrl);
  const nonce = escapeAttribute(options.nonce);
  const policy = previewContentSecurityPolicy([`'nonce-${options.nonce}'`, runtimeUrl]);
  const bootstrap = previewBootstrapScript({ parentOrigin: options.parentOrigin, runtimeUrl });
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(policy)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<script nonce="${nonce}">${bootstrap}</script>`,
    `<script nonce="${nonce}" src="${escapeAttribute(runtimeUrl)}" crossorigin="anonymous" ${runtimeScriptAttribute}></script>`,
    '</head><body><div id="root"></div>',
    `<script nonce="${nonce}">${previewGlobal}.run(function (require, module, exports) {${escapeInlineScript(options.compiledCode)}`,
    `\n}, ${JSON.stringify(sourceNameFor(options.filePath))});\n//# sourceURL=${sourceNameFor(options.filePath)}\n</script>`,
    '</body></html>',
  ].join('');
}

/**
 * The `srcdoc` of an HTML fragment: the CSP and the bootstrap, then the fragment's own
 * markup. Its inline scripts and handlers run (`'unsafe-inline'`), but it loads nothing.
 * A leading doctype is moved before the CSP, because the policy must come first and the
 * doctype keeps the document out of quirks mode.
 */
export function htmlPreviewDocument(options: { html: string; parentOrigin: string }): string {
  const policy = previewContentSecurityPolicy(["'unsafe-inline'"]);
  const bootstrap = previewBootstrapScript({ parentOrigin: options.parentOrigin });
  const html = options.html.replace(/^\s*<!doctype[^>]*>/i, '');
  return [
    '<!doctype html>',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(policy)}">`,
    `<script>${bootstrap}</script>`,
    html,
  ].join('');
}
