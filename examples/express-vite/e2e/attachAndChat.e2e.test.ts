import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FakeProvider, startFakeProvider } from '@fragmentkit/fake-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer } from './appServer.js';
import { launchChromium } from './browser.js';

const screenshotDir = fileURLToPath(new URL('../test-results/', import.meta.url));

/** Drags the mouse from the start of one code line to the end of another, like a user selecting. */
async function selectLines(page: Page, startLine: number, endLine: number) {
  const start = await page.locator(`[data-line="${startLine}"] .fk-line-content`).boundingBox();
  const end = await page.locator(`[data-line="${endLine}"] .fk-line-content`).boundingBox();
  if (!start || !end) throw new Error(`lines ${startLine}-${endLine} are not visible`);
  await page.mouse.move(start.x + 1, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(end.x + end.width - 2, end.y + end.height / 2, { steps: 8 });
  await page.mouse.up();
}

async function rightClickLine(page: Page, line: number) {
  const box = await page.locator(`[data-line="${line}"] .fk-line-content`).boundingBox();
  if (!box) throw new Error(`line ${line} is not visible`);
  await page.mouse.click(box.x + 20, box.y + box.height / 2, { button: 'right' });
}

describe('reference app in Chromium', () => {
  let fake: FakeProvider;
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeProvider({ chunkDelayMs: 15 });
    app = await startAppServer({ ANTHROPIC_API_KEY: 'sk-ant-e2e', ANTHROPIC_BASE_URL: fake.anthropicBaseURL });
    browser = await launchChromium();
    mkdirSync(screenshotDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('attaches selected lines, removes one, sends, and streams the fragment in', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(app.url);
    await expect.poll(() => page.getByText('model: claude-sonnet-4-5 (anthropic)').count()).toBe(1);

    await selectLines(page, 3, 5);
    await rightClickLine(page, 4);
    await page.getByRole('menuitem', { name: 'Attach lines 3–5' }).click();

    await selectLines(page, 9, 13);
    await rightClickLine(page, 11);
    await page.getByRole('menuitem', { name: 'Attach lines 9–13' }).click();

    const panel = page.getByRole('region', { name: 'Attached context' });
    await expect.poll(() => panel.getByRole('listitem').count()).toBe(2);
    await panel.getByRole('button', { name: 'Remove src/TodoList.tsx lines 3–5' }).click();
    await expect.poll(() => panel.getByRole('listitem').count()).toBe(1);
    expect(await panel.textContent()).toContain('lines 9–13');

    await page.getByLabel('Ask for a fragment').fill('Add a button that clears completed todos');
    await page.getByRole('button', { name: 'Send' }).click();

    const status = page.getByTestId('chat-status');
    // The answer arrives in chunks: the code is on screen while the stream is still open.
    await status.filter({ hasText: 'streaming' }).waitFor();
    await page.getByTestId('fragment-code').waitFor();
    await status.filter({ hasText: 'done' }).waitFor();
    expect(await page.getByTestId('fragment-code').textContent()).toContain('export default function');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${screenshotDir}reference-app.png` });

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    const lastMessage = request!.messages.at(-1)!.content;
    expect(lastMessage).toContain('File: src/TodoList.tsx (lines 9-13)');
    expect(lastMessage).toContain('function addTodo() {');
    expect(lastMessage).not.toContain('(lines 3-5)');
    expect(lastMessage).not.toContain('type Todo = { id: number');
    expect(lastMessage).toContain('Add a button that clears completed todos');
  });
});

describe('reference app without a model', () => {
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer({});
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('starts and explains in the page how to configure a provider', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    const notice = page.getByRole('alert').filter({ hasText: 'Connect a model' });
    await notice.waitFor();
    const text = await notice.textContent();
    expect(text).toContain('ANTHROPIC_API_KEY');
    expect(text).toContain('OPENAI_API_KEY');
    expect(text).toContain('OPENAI_BASE_URL=http://localhost:11434/v1');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
  });
});
