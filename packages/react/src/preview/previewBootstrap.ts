import { previewChannel } from './previewMessage.js';

/** The bootstrap's name in stack traces, so its frames are told apart from the fragment's. */
export const bootstrapSourceName = 'fragmentkit-preview-bootstrap.js';

/** The global the bootstrap defines and the runtime completes with `run`. */
export const previewGlobal = '__fragmentkitPreview';

/** Attribute that marks the runtime's `<script>`, so its load failure is recognised. */
export const runtimeScriptAttribute = 'data-fragmentkit-runtime';

/** Most error messages one document posts; a fragment that logs in a render loop stops there. */
const maxReports = 100;

/** A JSON string literal that is also safe inside an HTML `<script>` element. */
export function scriptString(value: string): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The first script of every preview document, before any fragment code: it reports uncaught
 * errors, unhandled rejections and `console.error` calls to the host page, and a runtime that
 * failed to load. It posts only to `parentOrigin`. ES2017, so it runs in any browser that
 * can show the preview at all.
 */
export function previewBootstrapScript(options: { parentOrigin: string; runtimeUrl?: string }): string {
  const runtimeUrl = options.runtimeUrl === undefined ? 'null' : scriptString(options.runtimeUrl);
  const lines = [
    '(function () {',
    `var parentOrigin = ${scriptString(options.parentOrigin)};`,
    `var runtimeUrl = ${runtimeUrl};`,
    `var budget = ${maxReports};`,
    'var runtimeMissing = false;',
    'var consoleError = console.error;',
    'function post(message) {',
    '  if (budget <= 0) return;',
    '  budget -= 1;',
    `  message.channel = ${scriptString(previewChannel)};`,
    '  try { parent.postMessage(message, parentOrigin); } catch (ignored) {}',
    '}',
    'function isErrorLike(value) {',
    "  return value !== null && typeof value === 'object' && typeof value.message === 'string';",
    '}',
    'function text(value) {',
    '  try {',
    "    if (typeof value === 'string') return value;",
    "    if (isErrorLike(value)) return (typeof value.name === 'string' ? value.name : 'Error') + ': ' + value.message;",
    "    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);",
    '    return JSON.stringify(value);',
    '  } catch (ignored) {',
    "    try { return String(value); } catch (alsoIgnored) { return '[unprintable]'; }",
    '  }',
    '}',
    'function report(kind, value, fallbackStack) {',
    '  var errorLike = isErrorLike(value);',
    '  post({',
    "    type: 'error',",
    '    kind: kind,',
    "    name: errorLike && typeof value.name === 'string' ? value.name : 'Error',",
    '    message: errorLike ? value.message : text(value),',
    "    stack: errorLike && typeof value.stack === 'string' ? value.stack : fallbackStack || ''",
    '  });',
    '}',
    "addEventListener('error', function (event) {",
    '  var target = event.target;',
    '  if (target !== window) {',
    `    if (target && target.hasAttribute && target.hasAttribute(${scriptString(runtimeScriptAttribute)})) {`,
    '      runtimeMissing = true;',
    "      report('error', { name: 'Error', message: 'The preview runtime did not load from ' + runtimeUrl + '. Serve it with createFragmentkit({ preview: { runtime } }) from @fragmentkit/server, or pass runtimeUrl to <FragmentPreview>.' });",
    '    }',
    '    return;',
    '  }',
    "  var location = event.filename ? '    at ' + event.filename + ':' + event.lineno + ':' + event.colno : '';",
    "  report('error', event.error != null ? event.error : { name: 'Error', message: event.message }, location);",
    '}, true);',
    "addEventListener('unhandledrejection', function (event) { report('unhandledrejection', event.reason); });",
    'console.error = function () {',
    '  var args = Array.prototype.slice.call(arguments);',
    '  consoleError.apply(console, args);',
    '  var error = args.filter(isErrorLike)[0];',
    "  var stack = error && typeof error.stack === 'string' ? error.stack : new Error().stack || '';",
    "  post({ type: 'error', kind: 'console-error', name: error && typeof error.name === 'string' ? error.name : 'Error', message: args.map(text).join(' '), stack: stack });",
    '};',
    `window[${scriptString(previewGlobal)}] = {`,
    '  report: report,',
    "  ready: function () { post({ type: 'ready' }); },",
    '  run: function () {',
    "    if (!runtimeMissing) report('error', { name: 'Error', message: 'The script at ' + runtimeUrl + ' is not the fragmentkit preview runtime (@fragmentkit/react/preview-runtime.js).' });",
    '  }',
    '};',
    '})();',
  ];
  return `${lines.join('\n')}\n//# sourceURL=${bootstrapSourceName}\n`;
}
