import type { Fragment } from '@fragmentkit/core';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FragmentkitProvider } from '../FragmentkitProvider.js';
import { FragmentPreview, type FragmentPreviewProps } from './FragmentPreview.js';
import { previewChannel } from './previewMessage.js';
import type { PreviewRuntimeError } from './previewRuntimeError.js';

const reactFragment: Fragment = {
  commentary: '',
  template: 'react-preview',
  title: 'Counter',
  description: '',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: null,
  file_path: 'App.tsx',
  code: [
    "import { useState } from 'react';",
    '',
    'export default function App() {',
    '  const [count, setCount] = useState<number>(0);',
    '  return <button onClick={() => setCount(count + 1)}>{count}</button>;',
    '}',
    '',
  ].join('\n'),
};

const htmlFragment: Fragment = {
  ...reactFragment,
  template: 'static-html',
  file_path: 'index.html',
  code: '<!DOCTYPE html><html><body><h1>Hi</h1><script>document.title = "x"</script></body></html>',
};

const sandboxFragment: Fragment = { ...reactFragment, template: 'nextjs-developer', file_path: 'pages/index.tsx' };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function frame(): HTMLIFrameElement {
  const element = document.querySelector('iframe');
  if (!element) throw new Error('no iframe rendered');
  return element;
}

async function renderPreview(props: Partial<FragmentPreviewProps> = {}) {
  const onRuntimeError = vi.fn<(error: PreviewRuntimeError) => void>();
  const view = render(<FragmentPreview fragment={reactFragment} onRuntimeError={onRuntimeError} {...props} />);
  const iframe = await waitFor(frame);
  return { ...view, iframe, onRuntimeError };
}

function cspOf(srcdoc: string): string {
  const document = new DOMParser().parseFromString(srcdoc, 'text/html');
  const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  if (!meta) throw new Error('no CSP meta tag');
  return meta.getAttribute('content') ?? '';
}

function directive(policy: string, name: string): string | undefined {
  return policy
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${name} `));
}

function post(source: MessageEventSource | null, data: unknown) {
  act(() => {
    window.dispatchEvent(new MessageEvent('message', { data, source }));
  });
}

const errorMessage = {
  channel: previewChannel,
  type: 'error',
  kind: 'error',
  name: 'TypeError',
  message: 'count.toFixed is not a function',
  stack: [
    'TypeError: count.toFixed is not a function',
    '    at App (App.tsx:5:33)',
    '    at Ar (http://localhost:3000/api/fragmentkit/preview/runtime.js:1:4242)',
  ].join('\n'),
};

describe('FragmentPreview: React fragments', () => {
  it('renders in an iframe sandboxed to scripts only, from srcdoc, with no src', async () => {
    const { iframe } = await renderPreview();
    expect(iframe.getAttribute('sandbox')).toBe('allow-scripts');
    expect(iframe.hasAttribute('src')).toBe(false);
    expect(iframe.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(iframe.getAttribute('title')).toBe('Counter');
    expect(iframe.getAttribute('srcdoc')).toContain('require("react/jsx-runtime")');
  });

  it('puts a CSP in the srcdoc that allows no network and only the nonce and the runtime as scripts', async () => {
    const { iframe } = await renderPreview();
    const srcdoc = iframe.getAttribute('srcdoc')!;
    const policy = cspOf(srcdoc);
    expect(directive(policy, 'default-src')).toBe("default-src 'none'");
    expect(directive(policy, 'connect-src')).toBe("connect-src 'none'");
    expect(directive(policy, 'frame-src')).toBe("frame-src 'none'");
    expect(directive(policy, 'form-action')).toBe("form-action 'none'");
    expect(directive(policy, 'img-src')).toBe('img-src data: blob:');
    expect(directive(policy, 'style-src')).toBe("style-src 'unsafe-inline'");
    const scriptSrc = directive(policy, 'script-src')!;
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc)?.[1];
    expect(nonce).toBeDefined();
    expect(scriptSrc).toBe(`script-src 'nonce-${nonce}' http://localhost:3000/api/fragmentkit/preview/runtime.js`);
    expect(scriptSrc).not.toContain('unsafe');

    const parsed = new DOMParser().parseFromString(srcdoc, 'text/html');
    // The policy comes before every script, and every script carries the nonce.
    expect(parsed.head.firstElementChild?.getAttribute('http-equiv')).toBe('Content-Security-Policy');
    const scripts = [...parsed.querySelectorAll('script')];
    expect(scripts).toHaveLength(3);
    for (const script of scripts) expect(script.getAttribute('nonce')).toBe(nonce);
    expect(scripts[1]!.getAttribute('src')).toBe('http://localhost:3000/api/fragmentkit/preview/runtime.js');
    expect(scripts[1]!.getAttribute('crossorigin')).toBe('anonymous');
  });

  it('uses a fresh nonce for every document', async () => {
    const { iframe, rerender, onRuntimeError } = await renderPreview();
    const first = iframe.getAttribute('srcdoc')!;
    rerender(
      <FragmentPreview
        fragment={{ ...reactFragment, code: `${reactFragment.code}// v2\n` }}
        onRuntimeError={onRuntimeError}
      />,
    );
    await waitFor(() => expect(frame().getAttribute('srcdoc')).toContain('// v2'));
    const nonceOf = (srcdoc: string) => /'nonce-([^']+)'/.exec(srcdoc)?.[1];
    expect(nonceOf(frame().getAttribute('srcdoc')!)).not.toBe(nonceOf(first));
  });

  it("loads the runtime from the provider's endpoint, or from runtimeUrl", async () => {
    render(
      <FragmentkitProvider endpoint="/custom/fk/">
        <FragmentPreview fragment={reactFragment} />
      </FragmentkitProvider>,
    );
    await waitFor(frame);
    expect(cspOf(frame().getAttribute('srcdoc')!)).toContain(' http://localhost:3000/custom/fk/preview/runtime.js');
    cleanup();

    await renderPreview({ runtimeUrl: 'https://cdn.example/rt.js;x' });
    const policy = cspOf(frame().getAttribute('srcdoc')!);
    // A `;` in the URL would start a new directive; it is encoded instead.
    expect(directive(policy, 'script-src')).toMatch(/ https:\/\/cdn\.example\/rt\.js%3Bx$/);
  });

  it('reports a compile error with its position and renders no frame', async () => {
    const onRuntimeError = vi.fn<(error: PreviewRuntimeError) => void>();
    const broken = {
      ...reactFragment,
      code: 'export default function App() {\n  const total = 1 +;\n  return total;\n}\n',
    };
    const { container } = render(<FragmentPreview fragment={broken} onRuntimeError={onRuntimeError} />);
    await waitFor(() => expect(onRuntimeError).toHaveBeenCalledTimes(1));
    const error = onRuntimeError.mock.calls[0]![0];
    expect(error).toMatchObject({ kind: 'compile', name: 'SyntaxError', filePath: 'App.tsx' });
    expect(error.frames).toEqual([expect.objectContaining({ file: 'App.tsx', line: 2, column: 20, inApp: true })]);
    expect(container.querySelector('iframe')).toBeNull();
    expect(container.querySelector('.fk-preview')?.getAttribute('data-state')).toBe('failed');
    expect(screen.getByRole('alert').textContent).toContain('SyntaxError');
  });

  it("lists core's findings above the frame by default, with their lines", async () => {
    const code = [
      "import confetti from 'canvas-confetti';",
      'export default function App() {',
      "  fetch('/api/data');",
      '  return <p>{document.cookie}</p>;',
      '}',
    ].join('\n');
    await renderPreview({ fragment: { ...reactFragment, code } });
    const items = screen.getAllByRole('listitem').map((item) => [item.getAttribute('data-rule'), item.textContent]);
    expect(items).toHaveLength(3);
    expect(items).toEqual(
      expect.arrayContaining([
        [
          'dependency-not-allowed',
          'App.tsx:1:22 The import "canvas-confetti" is not on the allowlist of template react-preview.',
        ],
        ['no-network', 'App.tsx:3:3 `fetch` makes network requests, which the preview does not allow.'],
        ['no-cookies', 'App.tsx:4:23 `document.cookie` is not available in the sandboxed preview.'],
      ]),
    );
  });

  it('checks nothing with checks={false}, and a clean fragment shows no list', async () => {
    await renderPreview({
      fragment: { ...reactFragment, code: "export default () => { fetch('/x'); return null; };" },
      checks: false,
    });
    expect(screen.queryByRole('list', { name: 'Preview warnings' })).toBeNull();
    cleanup();
    await renderPreview();
    expect(screen.queryByRole('list', { name: 'Preview warnings' })).toBeNull();
  });

  it('lists the findings of custom `checks` above the frame', async () => {
    const checks = vi.fn(() => [
      {
        rule: 'no-network',
        message: '`fetch` makes network requests.',
        line: 4,
        column: 3,
        severity: 'warning' as const,
      },
    ]);
    await renderPreview({ checks });
    expect(checks).toHaveBeenCalledWith(reactFragment);
    const list = screen.getByRole('list', { name: 'Preview warnings' });
    expect(list.textContent).toBe('App.tsx:4:3 `fetch` makes network requests.');
  });
});

describe('FragmentPreview: messages from the frame', () => {
  it("accepts an error only from its own frame's window and parses its stack", async () => {
    const { iframe, onRuntimeError } = await renderPreview();
    const other = document.createElement('iframe');
    document.body.append(other);

    post(window, errorMessage);
    post(other.contentWindow, errorMessage);
    post(null, errorMessage);
    expect(onRuntimeError).not.toHaveBeenCalled();

    post(iframe.contentWindow, errorMessage);
    expect(onRuntimeError).toHaveBeenCalledTimes(1);
    const error = onRuntimeError.mock.calls[0]![0];
    expect(error).toMatchObject({ kind: 'error', name: 'TypeError', message: 'count.toFixed is not a function' });
    expect(error.frames).toEqual([
      expect.objectContaining({ function: 'App', file: 'App.tsx', line: 5, column: 33, inApp: true }),
      // The runtime is the preview's machinery, not the fragment's code.
      expect.objectContaining({ function: 'Ar', inApp: false }),
    ]);
    expect(screen.getByRole('alert').textContent).toBe(
      'TypeError: count.toFixed is not a function at App (App.tsx:5:33)',
    );
    other.remove();
  });

  it('ignores messages of other shapes, even from its own frame', async () => {
    const { iframe, onRuntimeError } = await renderPreview();
    post(iframe.contentWindow, { ...errorMessage, channel: 'something-else' });
    post(iframe.contentWindow, { ...errorMessage, kind: 'compile' });
    post(iframe.contentWindow, { ...errorMessage, stack: 42 });
    post(iframe.contentWindow, 'TypeError: boom');
    expect(onRuntimeError).not.toHaveBeenCalled();
  });

  it('marks the preview ready when its frame says so', async () => {
    const { iframe, container } = await renderPreview();
    const preview = container.querySelector('.fk-preview')!;
    expect(preview.getAttribute('data-state')).toBe('loading');
    post(window, { channel: previewChannel, type: 'ready' });
    expect(preview.getAttribute('data-state')).toBe('loading');
    post(iframe.contentWindow, { channel: previewChannel, type: 'ready' });
    expect(preview.getAttribute('data-state')).toBe('ready');
  });

  it('stops listening to a frame once reloaded: the old window is not the preview any more', async () => {
    const { iframe, onRuntimeError } = await renderPreview();
    const oldWindow = iframe.contentWindow;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Reload' }));
    expect(frame()).not.toBe(iframe);
    post(oldWindow, errorMessage);
    expect(onRuntimeError).not.toHaveBeenCalled();
    post(frame().contentWindow, errorMessage);
    expect(onRuntimeError).toHaveBeenCalledTimes(1);
  });

  it('trusts no message from a framed sandbox URL', async () => {
    const { iframe, onRuntimeError } = await renderPreview({ url: 'https://3000-abc.e2b.app/' });
    post(iframe.contentWindow, errorMessage);
    expect(onRuntimeError).not.toHaveBeenCalled();
  });
});

describe('FragmentPreview: HTML fragments', () => {
  it('renders the markup after the CSP, sandboxed to scripts only', async () => {
    const { iframe } = await renderPreview({ fragment: htmlFragment });
    expect(iframe.getAttribute('sandbox')).toBe('allow-scripts');
    const srcdoc = iframe.getAttribute('srcdoc')!;
    expect(srcdoc.startsWith('<!doctype html><meta http-equiv="Content-Security-Policy"')).toBe(true);
    expect(srcdoc).toContain('<h1>Hi</h1>');
    expect(srcdoc.match(/<!doctype/gi)).toHaveLength(1);
    const policy = cspOf(srcdoc);
    expect(directive(policy, 'script-src')).toBe("script-src 'unsafe-inline'");
    expect(directive(policy, 'connect-src')).toBe("connect-src 'none'");
  });
});

describe('FragmentPreview: sandbox URLs', () => {
  it('frames a cross-site URL with its own origin, and reloads and opens it in a new tab', async () => {
    const { iframe } = await renderPreview({ fragment: sandboxFragment, url: 'https://3000-abc.e2b.app/' });
    expect(iframe.getAttribute('src')).toBe('https://3000-abc.e2b.app/');
    expect(iframe.hasAttribute('srcdoc')).toBe(false);
    expect(iframe.getAttribute('sandbox')).toBe('allow-scripts allow-forms allow-same-origin');
    const link = screen.getByRole('link', { name: 'Open in new tab' });
    expect(link.getAttribute('href')).toBe('https://3000-abc.e2b.app/');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Reload' }));
    expect(frame()).not.toBe(iframe);
    expect(frame().getAttribute('src')).toBe('https://3000-abc.e2b.app/');
  });

  it.each([
    ['the same host on another port (cookies ignore ports)', 'http://localhost:4000/'],
    ['a subdomain of the page', 'http://sandbox.localhost:3000/'],
    ['a relative URL', '/sandbox/1/'],
  ])('keeps %s at an opaque origin', async (_case, url) => {
    const { iframe } = await renderPreview({ fragment: sandboxFragment, url });
    expect(iframe.getAttribute('sandbox')).toBe('allow-scripts allow-forms');
  });

  it('keeps every URL opaque with isolation="strict"', async () => {
    const { iframe } = await renderPreview({ url: 'https://3000-abc.e2b.app/', isolation: 'strict' });
    expect(iframe.getAttribute('sandbox')).toBe('allow-scripts allow-forms');
  });

  it('refuses URLs that are not http or https', async () => {
    const { container } = render(
      <FragmentPreview fragment={sandboxFragment} url="javascript:alert(document.cookie)" />,
    );
    await waitFor(() => expect(container.querySelector('.fk-preview')?.getAttribute('data-state')).toBe('failed'));
    expect(container.querySelector('iframe')).toBeNull();
    expect(container.textContent).toContain('Only http and https URLs can be previewed.');
  });

  it('explains that a sandbox fragment without a URL has no preview yet', async () => {
    const { container } = render(<FragmentPreview fragment={sandboxFragment} />);
    await waitFor(() => expect(container.textContent).toContain('runs in a sandbox (nextjs-developer)'));
    expect(container.querySelector('iframe')).toBeNull();
  });
});

describe('FragmentPreview: never allow-same-origin for code it renders itself', () => {
  it.each([
    ['react', { fragment: reactFragment }],
    ['react with renderAs', { fragment: { ...reactFragment, template: 'my-template' }, renderAs: 'react' as const }],
    ['html', { fragment: htmlFragment }],
  ])('%s', async (_case, props) => {
    const { iframe } = await renderPreview(props);
    expect(iframe.getAttribute('sandbox')).toBe('allow-scripts');
    expect(iframe.getAttribute('sandbox')!.split(/\s+/)).not.toContain('allow-same-origin');
  });
});

describe('FragmentPreview: server rendering', () => {
  it('renders without a window and builds no frame', () => {
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('document', undefined);
    const html = renderToString(<FragmentPreview fragment={reactFragment} />);
    expect(html).toContain('class="fk-preview"');
    expect(html).not.toContain('<iframe');
  });
});
