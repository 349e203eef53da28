import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FakeProvider, startFakeProvider } from '@fragmentkit/fake-provider';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser';
import { type NextApp, startNextApp } from './nextApp';

const screenshotDir = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Selects whole lines of the editor's textarea, as a user dragging over them would. */
async function selectLines(editor: Locator, startLine: number, endLine: number) {
  await editor.evaluate(
    (element, [start, end]) => {
      const textarea = element as HTMLTextAreaElement;
      const lines = textarea.value.split('\n');
      const offsetOf = (line: number) => lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
      textarea.focus();
      textarea.setSelectionRange(offsetOf(start!), offsetOf(end!) + lines[end! - 1]!.length);
    },
    [startLine, endLine],
  );
}

/** Right-clicks in the middle of an editor line, which puts the caret there first. */
async function rightClickLine(page: Page, editor: Locator, line: number) {
  const box = await editor.boundingBox();
  const metrics = await editor.evaluate((element) => {
    const style = getComputedStyle(element);
    return { lineHeight: Number.parseFloat(style.lineHeight), paddingTop: Number.parseFloat(style.paddingTop) };
  });
  if (!box) throw new Error('the editor is not visible');
  const y = box.y + metrics.paddingTop + (line - 0.5) * metrics.lineHeight;
  await page.mouse.click(box.x + 60, y);
  await page.mouse.click(box.x + 60, y, { button: 'right' });
}

async function apiJson<T>(page: Page, path: string): Promise<T> {
  return page.evaluate((url) => fetch(url).then((response) => response.json()), `/api/fragmentkit${path}`);
}

describe('Next.js reference app in Chromium', () => {
  let fake: FakeProvider;
  let app: NextApp;
  let browser: Browser;
  let page: Page;
  let conversationId: string;
  const pageErrors: string[] = [];

  const editor = () => page.getByLabel('Code of App.tsx');
  const panel = () => page.getByRole('region', { name: 'Attached context' });
  const status = () => page.getByTestId('chat-status');
  const lastPrompt = () => fake.requests.at(-1)!.messages.at(-1)!.content;

  beforeAll(async () => {
    fake = await startFakeProvider({ chunkDelayMs: 15 });
    app = await startNextApp({ ANTHROPIC_API_KEY: 'sk-ant-e2e', ANTHROPIC_BASE_URL: fake.anthropicBaseURL });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    mkdirSync(screenshotDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await fake?.close();
  });

  it('attaches a selection and the current line, removes one and clears them', async () => {
    await page.goto(app.url);
    await page.getByRole('option', { name: 'claude-sonnet-4-5 (anthropic)' }).waitFor({ state: 'attached' });

    await selectLines(editor(), 3, 5);
    await page.keyboard.press('Control+Shift+L');
    await rightClickLine(page, editor(), 9);
    await page.getByRole('menuitem', { name: 'Attach line 9' }).click();

    await expect.poll(() => panel().getByRole('listitem').count()).toBe(2);
    expect(await panel().textContent()).toContain('lines 3–5');
    await panel().getByRole('button', { name: 'Remove App.tsx lines 3–5' }).click();
    await expect.poll(() => panel().getByRole('listitem').count()).toBe(1);
    expect(await panel().textContent()).toContain('line 9');

    await panel().getByRole('button', { name: 'Clear all' }).click();
    await expect.poll(() => panel().getByRole('listitem').count()).toBe(0);
  });

  it('marks an attached snippet stale when its lines are edited, and updates it', async () => {
    await selectLines(editor(), 9, 13);
    await page.getByRole('button', { name: 'Attach lines 9–13' }).click();
    await expect.poll(() => panel().getByRole('listitem').count()).toBe(1);
    expect(await panel().locator('[data-stale]').count()).toBe(0);

    const code = await editor().inputValue();
    await editor().fill(code.replace('if (!draft.trim()) return;', 'if (!draft.trim()) { return; }'));
    const stale = panel().locator('li[data-stale]');
    await stale.waitFor();
    expect(await stale.textContent()).toContain('stale: the file changed since it was attached');
    await page.getByTestId('edited-marker').waitFor();
    await page.screenshot({ path: `${screenshotDir}attached-context.png` });

    await page.getByRole('button', { name: 'Update stale' }).click();
    await expect.poll(() => panel().locator('li[data-stale]').count()).toBe(0);
    expect(await panel().getByRole('listitem').count()).toBe(1);
  });

  it('sends the attached lines, streams the answer in and renders the preview', async () => {
    await page.getByLabel('Ask for a fragment').fill('Add a button that clears completed todos');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await status().filter({ hasText: 'streaming' }).waitFor();
    await status().filter({ hasText: 'done' }).waitFor();
    conversationId = new URL(page.url()).searchParams.get('c') ?? '';
    expect(conversationId).not.toBe('');

    expect(fake.requests).toHaveLength(1);
    const prompt = lastPrompt();
    expect(prompt).toContain('File: App.tsx (lines 9-13)');
    // The snippet was updated after the edit, so the model sees the edited line.
    expect(prompt).toContain('if (!draft.trim()) { return; }');
    expect(prompt).toContain('Add a button that clears completed todos');

    const preview = page.getByRole('tab', { name: 'Preview' });
    expect(await preview.getAttribute('aria-selected')).toBe('true');
    const frame = page.frameLocator('iframe.fk-preview-frame');
    await frame.getByText('Count: 0').waitFor();
    await frame.getByRole('button', { name: '+1' }).click();
    await frame.getByText('Count: 1').waitFor();
    await page.locator('.fk-preview[data-state="ready"]').waitFor();

    const messages = page.getByRole('list', { name: 'Messages' });
    expect(await messages.textContent()).toContain('Counter: Add a button that clears');
    expect(await messages.getByRole('list', { name: 'Attached with this message' }).textContent()).toContain(
      'App.tsx lines 9–13',
    );
    // The turn took its snippets along; the next one starts empty.
    expect(await panel().getByRole('listitem').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}preview.png` });
  });

  it('resumes the conversation after a reload and continues it with the stored history', async () => {
    // The server records the answer once the stream has ended.
    await expect
      .poll(
        async () => (await apiJson<{ messages: unknown[] }>(page, `/conversations/${conversationId}`)).messages.length,
      )
      .toBe(2);
    await page.reload();
    const messages = page.getByRole('list', { name: 'Messages' });
    await messages.getByText('Add a button that clears completed todos', { exact: true }).waitFor();
    expect(await messages.textContent()).toContain('Counter: Add a button that clears');
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toContain('Counter:');
    await page.frameLocator('iframe.fk-preview-frame').getByText('Count: 0').waitFor();
    const current = page.getByRole('navigation', { name: 'Conversations' }).locator('li[aria-current="true"]');
    expect(await current.textContent()).toContain('Add a button that clears completed todos');
    await page.screenshot({ path: `${screenshotDir}resumed.png` });

    await page.getByLabel('Ask for a fragment').fill('Make the buttons larger');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await status().filter({ hasText: 'done' }).waitFor();
    expect(fake.requests).toHaveLength(2);
    // The earlier turn reached the model from the store: the page itself only knew it from the reload.
    const sent = fake.requests[1]!.messages.map((message) => message.content).join('\n');
    expect(sent).toContain('Add a button that clears completed todos');
    expect(lastPrompt()).toContain('Make the buttons larger');
    expect(new URL(page.url()).searchParams.get('c')).toBe(conversationId);
  });

  it('asks the model to fix a runtime error of the preview, with the error as context', async () => {
    await page.getByRole('tab', { name: 'Code' }).click();
    const code = await editor().inputValue();
    const broken = code.replace(
      'export default function App() {',
      "export default function App() {\n  throw new TypeError('preview exploded on purpose');",
    );
    expect(broken).not.toBe(code);
    await editor().fill(broken);
    const errors = page.getByTestId('preview-errors');
    await errors.getByText('TypeError: preview exploded on purpose').waitFor();
    await page.getByRole('tab', { name: /Preview/ }).click();
    await page.screenshot({ path: `${screenshotDir}fix-error.png` });

    await errors.getByRole('button', { name: 'Fix' }).first().click();
    await expect.poll(() => fake.requests.length).toBe(3);
    await status().filter({ hasText: 'done' }).waitFor();
    const prompt = lastPrompt();
    expect(prompt).toContain('preview exploded on purpose');
    expect(prompt).toContain('TypeError');
    expect(prompt).toContain("throw new TypeError('preview exploded on purpose');");
    expect(prompt).toContain('Fix this error in App.tsx');
  });

  it('renames and deletes conversations in the history', async () => {
    const sidebar = page.getByRole('navigation', { name: 'Conversations' });
    await sidebar.getByRole('button', { name: 'Rename Add a button that clears completed todos' }).click();
    await sidebar.getByLabel('Conversation title').fill('Counter demo');
    await sidebar.getByLabel('Conversation title').press('Enter');
    await sidebar.getByRole('button', { name: 'Counter demo', exact: true }).waitFor();
    const listed = await apiJson<{ conversations: { id: string; title: string }[] }>(page, '/conversations');
    expect(listed.conversations.find((conversation) => conversation.id === conversationId)?.title).toBe('Counter demo');

    await sidebar.getByRole('button', { name: 'Delete Counter demo' }).click();
    await sidebar.getByRole('button', { name: 'Confirm deleting Counter demo' }).click();
    await expect.poll(() => sidebar.getByRole('button', { name: 'Counter demo', exact: true }).count()).toBe(0);
    const after = await apiJson<{ conversations: { id: string }[] }>(page, '/conversations');
    expect(after.conversations.map((conversation) => conversation.id)).not.toContain(conversationId);
    // The deleted conversation was open: the page started a new one.
    expect(new URL(page.url()).searchParams.get('c')).toBeNull();
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toContain('Starter');
  });

  it('offers sharing only when the server has a share route', async () => {
    const shareStatus = await page.evaluate(() => fetch('/api/fragmentkit/share').then((response) => response.status));
    const button = page.getByRole('button', { name: 'Share' });
    if (shareStatus === 404) {
      expect(await button.count()).toBe(0);
    } else {
      await button.waitFor();
    }
  });

  it('stops an answer while it streams', async () => {
    await page.getByLabel('Ask for a fragment').fill('A counter to interrupt');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await status().filter({ hasText: 'streaming' }).waitFor();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await status().filter({ hasText: 'stopped' }).waitFor();
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor();
    expect(await page.getByRole('list', { name: 'Messages' }).textContent()).toContain('A counter to interrupt');
  });

  it('threw no uncaught error in the page along the way', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('Next.js reference app without a model', () => {
  let app: NextApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startNextApp({});
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('explains in the page how to configure a provider, and the chat API answers a typed 503', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(app.url);
    const notice = page.getByRole('alert').filter({ hasText: 'Connect a model' });
    await notice.waitFor();
    const text = await notice.textContent();
    expect(text).toContain('ANTHROPIC_API_KEY');
    expect(text).toContain('OPENAI_API_KEY');
    expect(text).toContain('OPENAI_BASE_URL=http://localhost:11434/v1');
    await page.getByLabel('Ask for a fragment').fill('Anything');
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${fileURLToPath(new URL('../screenshots/', import.meta.url))}setup.png` });

    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/fragmentkit/chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ input: 'Make a counter' }),
      });
      return { status: response.status, body: await response.json() };
    });
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('PROVIDER_NOT_CONFIGURED');
    expect(answer.body.error.message).toContain('ANTHROPIC_API_KEY');
  });
});
