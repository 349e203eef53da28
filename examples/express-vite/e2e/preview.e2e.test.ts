import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeProvider, type FakeTextReply, startFakeProvider } from '@fragmentkit/fake-provider';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.js';
import { launchChromium } from './browser.js';

interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

/** The reference app behind a server that records every request it receives. */
async function startRecordingAppServer(env: NodeJS.ProcessEnv) {
  const app = createApp(env);
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((request, response) => {
    received.push({ url: request.url ?? '', headers: request.headers });
    app(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function fragmentReply(title: string, code: string[]): FakeTextReply {
  const fragment = {
    commentary: `A preview probe: ${title}.`,
    template: 'react-preview',
    title,
    description: 'A preview probe.',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    file_path: 'App.tsx',
    code: code.join('\n'),
  };
  return { text: JSON.stringify(fragment) };
}

/** 1-based line of the first source line containing `text`. */
function lineOf(code: string[], text: string): number {
  const index = code.findIndex((line) => line.includes(text));
  if (index === -1) throw new Error(`no line contains ${text}`);
  return index + 1;
}

const isolationProbe = [
  "import { useState } from 'react';",
  '',
  'function probe(label: string, read: () => unknown): string {',
  '  try {',
  "    return label + ': read ' + JSON.stringify(read());",
  '  } catch (error) {',
  "    return label + ': threw ' + (error as Error).name;",
  '  }',
  '}',
  '',
  'export default function App() {',
  '  const [results] = useState(() => [',
  "    probe('cookie', () => document.cookie),",
  "    probe('localStorage', () => localStorage.getItem('host_secret')),",
  "    probe('sessionStorage', () => sessionStorage.length),",
  "    probe('parent.document', () => parent.document.cookie),",
  "    probe('parent.localStorage', () => parent.localStorage.getItem('host_secret')),",
  "    probe('top.location', () => top!.location.href),",
  '  ]);',
  '  return <pre id="probe">{results.join("\\n")}</pre>;',
  '}',
];

const networkProbe = (origin: string) => [
  "import { useEffect, useState } from 'react';",
  '',
  'export default function App() {',
  "  const [fetched, setFetched] = useState('pending');",
  "  const [image, setImage] = useState('pending');",
  '  useEffect(() => {',
  `    fetch(${JSON.stringify(`${origin}/api/fragmentkit/health?from=preview-fetch`)})`,
  "      .then((response) => setFetched('fetched ' + response.status), (error) => setFetched('failed ' + error.name));",
  '  }, []);',
  '  return (',
  '    <main>',
  '      <p id="fetch">{fetched}</p>',
  `      <img alt="probe" src=${JSON.stringify(`${origin}/probe.png?from=preview-image`)} onLoad={() => setImage('loaded')} onError={() => setImage('blocked')} />`,
  '      <p id="image">{image}</p>',
  '    </main>',
  '  );',
  '}',
];

const errorProbe = [
  'function explode(): never {',
  "  throw new TypeError('clicked to explode');",
  '}',
  '',
  'export default function App() {',
  '  return (',
  '    <main>',
  '      <button id="throw" type="button" onClick={() => explode()}>Throw</button>',
  '      <button id="reject" type="button" onClick={() => { void Promise.reject(new Error(\'rejected on purpose\')); }}>Reject</button>',
  '      <button id="log" type="button" onClick={() => console.error(\'logged on purpose\', 42)}>Log</button>',
  '    </main>',
  '  );',
  '}',
];

const renderCrashProbe = [
  'type Item = { name: string };',
  '',
  'function Items({ items }: { items?: Item[] }) {',
  "  if (!items) throw new RangeError('render exploded');",
  '  return <ul>{items.map((item) => <li key={item.name}>{item.name}</li>)}</ul>;',
  '}',
  '',
  'export default function App() {',
  '  return <Items />;',
  '}',
];

describe('FragmentPreview in Chromium', () => {
  let fake: FakeProvider;
  let app: Awaited<ReturnType<typeof startRecordingAppServer>>;
  let browser: Browser;
  const replies = new Map<string, FakeTextReply>();

  beforeAll(async () => {
    fake = await startFakeProvider({
      chunkDelayMs: 0,
      respond: (request) => {
        const prompt = request.messages.at(-1)?.content ?? '';
        for (const [marker, reply] of replies) if (prompt.includes(marker)) return reply;
        return { error: { status: 400, type: 'invalid_request_error', message: `no probe for: ${prompt}` } };
      },
    });
    app = await startRecordingAppServer({ ANTHROPIC_API_KEY: 'sk-ant-e2e', ANTHROPIC_BASE_URL: fake.anthropicBaseURL });
    replies.set('probe-isolation', fragmentReply('Isolation probe', isolationProbe));
    replies.set('probe-network', fragmentReply('Network probe', networkProbe(app.url)));
    replies.set('probe-errors', fragmentReply('Error probe', errorProbe));
    replies.set('probe-render-crash', fragmentReply('Render crash', renderCrashProbe));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  beforeEach(() => {
    app.received.length = 0;
  });

  /** Asks the app for a probe fragment, waits for it to render in the preview, and returns the preview's frame. */
  async function openPreview(page: Page, marker: string, options: { waitForReady?: boolean } = {}): Promise<Frame> {
    await page.getByLabel('Ask for a fragment').fill(`Run ${marker}`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('chat-status').filter({ hasText: 'done' }).waitFor();
    await page.getByRole('tab', { name: 'Preview' }).click();
    const element = await page.waitForSelector('iframe.fk-preview-frame');
    if (options.waitForReady ?? true) await page.locator('.fk-preview[data-state="ready"]').waitFor();
    const frame = await element.contentFrame();
    if (!frame) throw new Error('the preview iframe has no frame');
    return frame;
  }

  async function newAppPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(app.url);
    await expect.poll(() => page.getByText('model: claude-sonnet-4-5 (anthropic)').count()).toBe(1);
    return page;
  }

  it("cannot read the host page's cookies, storage or DOM", async () => {
    const page = await newAppPage();
    await page.evaluate(() => {
      // biome-ignore lint/suspicious/noDocumentCookie: the host page's cookie is the secret the preview must not see
      document.cookie = 'host_secret=c00kie-value; path=/';
      localStorage.setItem('host_secret', 'st0rage-value');
    });
    // The secrets are there for the host page itself to read.
    expect(await page.evaluate(() => [document.cookie, localStorage.getItem('host_secret')])).toEqual([
      'host_secret=c00kie-value',
      'st0rage-value',
    ]);

    const frame = await openPreview(page, 'probe-isolation');
    const iframe = page.locator('iframe.fk-preview-frame');
    expect(await iframe.getAttribute('sandbox')).toBe('allow-scripts');
    expect(await frame.evaluate(() => window.origin)).toBe('null');

    const probe = (await frame.locator('#probe').textContent()) ?? '';
    expect(probe.split('\n')).toEqual([
      'cookie: threw SecurityError',
      'localStorage: threw SecurityError',
      'sessionStorage: threw SecurityError',
      'parent.document: threw SecurityError',
      'parent.localStorage: threw SecurityError',
      'top.location: threw SecurityError',
    ]);
    expect(probe).not.toContain('c00kie');
    expect(probe).not.toContain('st0rage');
    await page.close();
  });

  it('cannot make network requests: the server never sees them and the fragment sees them fail', async () => {
    const page = await newAppPage();
    const frame = await openPreview(page, 'probe-network');
    await frame.locator('#fetch', { hasText: 'failed' }).waitFor();
    await frame.locator('#image', { hasText: 'blocked' }).waitFor();
    expect(await frame.locator('#fetch').textContent()).toBe('failed TypeError');
    expect(await frame.locator('#image').textContent()).toBe('blocked');

    // A request the host page makes after the probes is recorded, so anything the frame sent
    // before it would be recorded too.
    expect(
      await page.evaluate(() => fetch('/api/fragmentkit/health?from=host').then((response) => response.status)),
    ).toBe(200);
    const urls = app.received.map((request) => request.url);
    expect(urls).toContain('/api/fragmentkit/health?from=host');
    expect(urls.filter((url) => url.includes('from=preview'))).toEqual([]);

    // The one request the frame may make is the runtime script, from its opaque origin and without cookies.
    const runtimeRequests = app.received.filter((request) => request.url === '/api/fragmentkit/preview/runtime.js');
    expect(runtimeRequests).toHaveLength(1);
    expect(runtimeRequests[0]!.headers.origin).toBe('null');
    expect(runtimeRequests[0]!.headers.cookie).toBeUndefined();
    await page.close();
  });

  it('reports thrown errors, rejections and console.error to the host with the stack parsed', async () => {
    const page = await newAppPage();
    const frame = await openPreview(page, 'probe-errors');
    const errors = page.getByTestId('preview-errors');

    await frame.locator('#throw').click();
    await errors.getByText('TypeError: clicked to explode').waitFor();
    const throwLine = lineOf(errorProbe, "throw new TypeError('clicked to explode')");
    const clickLine = lineOf(errorProbe, 'onClick={() => explode()}');
    const frames = await errors.locator('li[data-kind="error"] [data-testid="preview-error-frame"]').allTextContents();
    expect(frames[0]).toMatch(new RegExp(`^explode at App\\.tsx:${throwLine}:\\d+$`));
    expect(frames[1]).toMatch(new RegExp(` at App\\.tsx:${clickLine}:\\d+$`));
    // The preview's own error line under the frame names the failing line too.
    expect(await page.locator('.fk-preview-error').textContent()).toContain(`(App.tsx:${throwLine}:`);

    await frame.locator('#reject').click();
    await errors.locator('li[data-kind="unhandledrejection"]', { hasText: 'Error: rejected on purpose' }).waitFor();
    const rejectFrames = await errors
      .locator('li[data-kind="unhandledrejection"] [data-testid="preview-error-frame"]')
      .allTextContents();
    expect(rejectFrames[0]).toMatch(new RegExp(` at App\\.tsx:${lineOf(errorProbe, 'rejected on purpose')}:\\d+$`));

    await frame.locator('#log').click();
    await errors.locator('li[data-kind="console-error"]', { hasText: 'logged on purpose 42' }).waitFor();
    const logFrames = await errors
      .locator('li[data-kind="console-error"] [data-testid="preview-error-frame"]')
      .allTextContents();
    expect(logFrames[0]).toMatch(new RegExp(` at App\\.tsx:${lineOf(errorProbe, 'logged on purpose')}:\\d+$`));
    await page.close();
  });

  it('reports an error thrown while rendering, pointing at the line that threw', async () => {
    const page = await newAppPage();
    await openPreview(page, 'probe-render-crash', { waitForReady: false });
    const errors = page.getByTestId('preview-errors');
    await errors.getByText('RangeError: render exploded').waitFor();
    const frames = await errors.locator('[data-testid="preview-error-frame"]').allTextContents();
    expect(frames[0]).toMatch(new RegExp(`^Items at App\\.tsx:${lineOf(renderCrashProbe, 'render exploded')}:\\d+$`));
    expect(await page.locator('.fk-preview').getAttribute('data-state')).toBe('failed');
    await page.close();
  });
});
