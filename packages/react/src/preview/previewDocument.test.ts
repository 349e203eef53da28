import { describe, expect, it } from 'vitest';
import { bootstrapSourceName, previewBootstrapScript } from './previewBootstrap.js';
import {
  escapeInlineScript,
  htmlPreviewDocument,
  previewContentSecurityPolicy,
  reactPreviewDocument,
  sourceNameFor,
} from './previewDocument.js';

const runtimeUrl = 'https://app.test/api/fragmentkit/preview/runtime.js';

function parse(html: string): Document {
  return new DOMParser().parseFromString(html, 'text/html');
}

describe('previewContentSecurityPolicy', () => {
  it('denies every fetch but the given script sources', () => {
    expect(previewContentSecurityPolicy(["'nonce-abc'", runtimeUrl])).toBe(
      [
        "default-src 'none'",
        `script-src 'nonce-abc' ${runtimeUrl}`,
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
      ].join('; '),
    );
  });
});

describe('escapeInlineScript', () => {
  it('leaves no sequence that ends or confuses a script element, in any letter case', () => {
    const escaped = escapeInlineScript('a("</script>"); b(`</SCRIPT >`); c(/<!--x/); d("<script>")');
    expect(escaped).not.toMatch(/<\/script/i);
    expect(escaped).not.toContain('<!--');
    expect(escaped).toBe('a("<\\/script>"); b(`<\\/SCRIPT >`); c(/<\\x21--x/); d("<script>")');
  });

  it('keeps the meaning of strings, templates and regular expressions', () => {
    const source = 'module.exports = ["</script>", `</Script>`, /<!--/u.test("<!--"), "<!--"];';
    const module = { exports: [] as unknown[] };
    new Function('module', escapeInlineScript(source))(module);
    expect(module.exports).toEqual(['</script>', '</Script>', true, '<!--']);
  });
});

describe('reactPreviewDocument', () => {
  const compiledCode = 'exports.default = function App() { return "</script><script>alert(1)</script>"; };';
  const html = reactPreviewDocument({
    compiledCode,
    filePath: 'src/My App.tsx',
    runtimeUrl,
    parentOrigin: 'https://app.test',
    nonce: 'n0nce',
  });
  const document = parse(html);

  it('has exactly the bootstrap, the runtime and the module as scripts, even when the code holds </script>', () => {
    const scripts = [...document.querySelectorAll('script')];
    expect(scripts.map((script) => script.getAttribute('src'))).toEqual([null, runtimeUrl, null]);
    expect(scripts.every((script) => script.getAttribute('nonce') === 'n0nce')).toBe(true);
    const module = scripts[2]!.textContent!;
    expect(module.startsWith('__fragmentkitPreview.run(function (require, module, exports) {exports.default')).toBe(
      true,
    );
    expect(module).toContain('"<\\/script><script>alert(1)<\\/script>"');
    expect(module).toContain('}, "src/My_App.tsx");\n//# sourceURL=src/My_App.tsx\n');
    expect(document.querySelectorAll('#root')).toHaveLength(1);
  });

  it('starts the module body on the first line of its script, so stack lines are source lines', () => {
    const module = document.querySelectorAll('script')[2]!.textContent!;
    expect(module.split('\n')[0]).toContain('exports.default = function App()');
  });

  it('puts the CSP before anything else in the head', () => {
    const first = document.head.firstElementChild!;
    expect(first.getAttribute('http-equiv')).toBe('Content-Security-Policy');
    expect(first.getAttribute('content')).toContain(`script-src 'nonce-n0nce' ${runtimeUrl};`);
  });

  it('marks the runtime script so the bootstrap recognises its load failure', () => {
    const runtime = document.querySelectorAll('script')[1]!;
    expect(runtime.hasAttribute('data-fragmentkit-runtime')).toBe(true);
    expect(runtime.getAttribute('crossorigin')).toBe('anonymous');
  });
});

describe('htmlPreviewDocument', () => {
  it('moves the doctype first and the CSP and bootstrap before the markup', () => {
    const html = htmlPreviewDocument({
      html: '  <!DOCTYPE html>\n<html lang="en"><head><title>T</title></head><body><p>x</p></body></html>',
      parentOrigin: 'https://app.test',
    });
    expect(html.startsWith('<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src')).toBe(
      true,
    );
    const document = parse(html);
    expect(document.compatMode).toBe('CSS1Compat');
    expect(document.documentElement.getAttribute('lang')).toBe('en');
    expect(document.head.firstElementChild?.getAttribute('http-equiv')).toBe('Content-Security-Policy');
    expect(document.querySelector('p')?.textContent).toBe('x');
  });
});

describe('previewBootstrapScript', () => {
  it('posts only to the parent origin, embedded safely', () => {
    const script = previewBootstrapScript({ parentOrigin: 'https://app.test', runtimeUrl: 'https://x.test/</script>' });
    expect(script).toContain('var parentOrigin = "https://app.test";');
    expect(script).toContain('parent.postMessage(message, parentOrigin)');
    expect(script).not.toContain('</script>');
    expect(script.endsWith(`//# sourceURL=${bootstrapSourceName}\n`)).toBe(true);
    expect(() => new Function(script)).not.toThrow();
  });
});

describe('sourceNameFor', () => {
  it('keeps path characters and replaces anything that could end the comment', () => {
    expect(sourceNameFor('src/components/App.tsx')).toBe('src/components/App.tsx');
    expect(sourceNameFor('a b\n*/c.tsx')).toBe('a_b__/c.tsx');
    expect(sourceNameFor('')).toBe('fragment.js');
  });
});
