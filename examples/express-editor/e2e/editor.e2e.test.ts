import { mkdir } from 'node:fs/promises';
import { type FakeProvider, type FakeReply, startFakeProvider } from '@fragmentkit/fake-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer } from './appServer.js';
import { launchChromium } from './browser.js';

const screenshotDir = new URL('../screenshots/', import.meta.url);

function diffAnswer(explanation: string, diff: string[]): FakeReply {
  return { text: [explanation, '', '```diff', '--- a/src/App.tsx', '+++ b/src/App.tsx', ...diff, '```'].join('\n') };
}

// The model's answers, by the request that asks for them.
const answers: Record<string, FakeReply> = {
  'Rename the heading': diffAnswer('The heading now says it was patched.', [
    '@@ -6,3 +6,3 @@',
    "     <main style={{ fontFamily: 'system-ui', padding: 16 }}>",
    '-      <h1>Counter</h1>',
    '+      <h1>Patched counter</h1>',
    '       <p>Clicked {count} times</p>',
  ]),
  'Reword the count': diffAnswer('The count line says "pressed".', [
    '@@ -7,3 +7,3 @@',
    '       <h1>Patched counter</h1>',
    '-      <p>Clicked {count} times</p>',
    '+      <p>Pressed {count} times</p>',
    '       <button type="button" onClick={() => setCount(count + 1)}>',
  ]),
};

/** The text of the Monaco editor's visible lines (the sample files fit on one screen). */
async function editorText(page: Page): Promise<string> {
  const text = await page.locator('.monaco-editor .view-lines').textContent();
  return (text ?? '').replace(/\u00a0/g, ' ');
}

/** Waits until the editor shows `expected` (Monaco renders spaces as no-break spaces). */
async function waitForEditorText(page: Page, expected: string): Promise<void> {
  await page.waitForFunction(
    (text) =>
      document
        .querySelector('.monaco-editor .view-lines')
        ?.textContent?.replace(/\u00a0/g, ' ')
        .includes(text),
    expected,
  );
}

function preview(page: Page) {
  return page.frameLocator('iframe.fk-preview-frame');
}

async function runPatchTask(page: Page, prompt: string): Promise<void> {
  await page.getByRole('radio', { name: 'Patch' }).check();
  await page.getByRole('textbox', { name: 'Request' }).fill(prompt);
  await page.getByRole('button', { name: 'Run task' }).click();
  await page.locator('[data-testid="task-status"][data-status="done"]').waitFor();
}

describe('editor example: agent tasks in Monaco with a live preview and saved versions', () => {
  let fake: FakeProvider;
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeProvider({
      chunkDelayMs: 0,
      respond: (request) => {
        const asked = request.messages.at(-1)?.content ?? '';
        const prompt = Object.keys(answers).find((candidate) => asked.includes(candidate));
        return prompt
          ? answers[prompt]!
          : { error: { status: 400, type: 'invalid_request_error', message: 'no scripted answer' } };
      },
    });
    app = await startAppServer({
      OPENAI_BASE_URL: fake.openaiBaseURL,
      OPENAI_API_KEY: 'test',
      OPENAI_MODEL: 'gpt-test',
      FRAGMENTKIT_DATA_DIR: 'memory://',
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
    await waitForEditorText(page, '<h1>Counter</h1>');
    await preview(page).locator('h1', { hasText: 'Counter' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('saves the starting version', async () => {
    await page.getByRole('button', { name: 'Save version' }).click();
    await page.getByRole('button', { name: 'Restore version 1' }).waitFor();
  });

  it('shows a patch task’s diff and, once accepted, writes it into Monaco and the preview', async () => {
    await runPatchTask(page, 'Rename the heading to say it was patched');
    const file = page.getByRole('article', { name: 'src/App.tsx' });
    await expect.poll(() => file.locator('[data-kind="add"]').textContent()).toContain('<h1>Patched counter</h1>');
    expect(await file.locator('[data-kind="remove"]').textContent()).toContain('<h1>Counter</h1>');
    // Nothing changes before the user decides.
    expect(await editorText(page)).toContain('<h1>Counter</h1>');

    await page.getByRole('button', { name: 'Accept changes to src/App.tsx' }).click();
    await page.locator('.fk-diff-file[data-status="accepted"]').waitFor();
    await waitForEditorText(page, '<h1>Patched counter</h1>');
    await preview(page).locator('h1', { hasText: 'Patched counter' }).waitFor();

    const sent = fake.requests.at(-1)!;
    expect(sent.messages.at(-1)!.content).toContain('Rename the heading');
    expect(sent.messages.at(-1)!.content).toContain('export function increment');

    await mkdir(screenshotDir, { recursive: true });
    await page.screenshot({ path: new URL('editor.png', screenshotDir).pathname });
  });

  it('leaves Monaco and the preview alone when a patch is rejected', async () => {
    await runPatchTask(page, 'Reword the count line');
    const file = page.getByRole('article', { name: 'src/App.tsx' });
    await expect.poll(() => file.locator('[data-kind="add"]').textContent()).toContain('Pressed {count} times');

    await page.getByRole('button', { name: 'Reject changes to src/App.tsx' }).click();
    await page.locator('.fk-diff-file[data-status="rejected"]').waitFor();
    const text = await editorText(page);
    expect(text).toContain('<p>Clicked {count} times</p>');
    expect(text).not.toContain('Pressed');
    expect(await preview(page).locator('p').textContent()).toBe('Clicked 0 times');
  });

  it('restores a saved version into Monaco and the preview, as a new version', async () => {
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await page.getByRole('button', { name: 'Restore version 2' }).waitFor();
    await waitForEditorText(page, '<h1>Counter</h1>');
    await preview(page)
      .locator('h1', { hasText: /^Counter$/ })
      .waitFor();
  });
});
