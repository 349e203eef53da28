import { type FakeProvider, type FakeTextReply, startFakeProvider } from '@fragmentkit/fake-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The fake is a test fixture of core, not part of its published exports.
import { FakeE2BServer } from '../../../packages/core/src/e2b/__fixtures__/fakeE2BServer.js';
import { startAppServer } from './appServer.js';
import { launchChromium } from './browser.js';

const code = ['total = sum(range(1, 101))', 'print(f"sum is {total}")'].join('\n');

const fragmentReply: FakeTextReply = {
  text: JSON.stringify({
    commentary: 'Adds up the first hundred numbers in the code interpreter.',
    template: 'code-interpreter-v1',
    title: 'E2B probe',
    description: 'A sandbox probe.',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    file_path: 'main.py',
    code,
  }),
};

/**
 * The real `e2b` SDK in the app, talking to a local fake of E2B's APIs. The fake executes
 * nothing: its `/execute` answers with the lines it is given, so the test shows those reach the
 * page, and checks the fake received the fragment's file and code.
 */
describe('Run in an E2B sandbox (a local fake of E2B), in Chromium', () => {
  let fake: FakeProvider;
  let e2b: FakeE2BServer;
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    fake = await startFakeProvider({
      chunkDelayMs: 0,
      respond: (request) =>
        request.messages.at(-1)?.content.includes('probe-e2b')
          ? fragmentReply
          : { error: { status: 400, type: 'invalid_request_error', message: 'no probe for this prompt' } },
    });
    e2b = new FakeE2BServer();
    await e2b.start();
    e2b.execution = [{ type: 'stdout', text: 'sum is 5050 (from the fake E2B kernel)\n' }];
    app = await startAppServer({
      ANTHROPIC_API_KEY: 'sk-ant-e2e',
      ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
      FRAGMENTKIT_SANDBOX: 'e2b',
      E2B_API_KEY: 'e2b_e2e_key',
      E2B_DOMAIN: 'e2b.test',
      E2B_API_URL: e2b.url,
      E2B_SANDBOX_URL: e2b.url,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await e2b?.stop();
    await fake?.close();
  });

  it('runs a Python fragment from the model through the e2b SDK and shows the sandbox output', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.getByText('model: claude-sonnet-4-5 (anthropic)').count()).toBe(1);
    await page.getByLabel('Ask for a fragment').fill('Run probe-e2b');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('chat-status').filter({ hasText: 'done' }).waitFor();
    await page.getByRole('tab', { name: 'Run' }).click();
    await page.getByRole('button', { name: 'Run in the e2b sandbox' }).click();
    await page.locator('.sandbox-run[data-status="done"]').waitFor();

    expect(await page.getByTestId('sandbox-stdout').textContent()).toBe('sum is 5050 (from the fake E2B kernel)\n');
    expect(await page.getByTestId('sandbox-exit').textContent()).toBe('completed · exit code 0');
    expect(await page.getByTestId('sandbox-unavailable').count()).toBe(0);

    const creations = e2b.find('POST', '/v2/sandboxes');
    expect(creations).toHaveLength(1);
    expect(creations[0]?.headers['x-api-key']).toBe('e2b_e2e_key');
    const created = JSON.parse(creations[0]?.body ?? '{}') as { metadata: Record<string, string> };
    // The app has no sign-in, so the caller is the guest of its address.
    expect(created).toMatchObject({
      templateID: 'code-interpreter-v1',
      metadata: {
        createdBy: 'fragmentkit',
        template: 'code-interpreter-v1',
        userId: 'guest:127.0.0.1',
        teamId: 'guest:127.0.0.1',
      },
    });
    expect(created.metadata.conversationId).toMatch(/\S/);

    const [write] = e2b.find('POST', '/files');
    expect(write?.body).toContain('filename="/home/user/main.py"');
    expect(write?.body).toContain(code);
    const executions = e2b.find('POST', '/execute').map((request) => JSON.parse(request.body));
    expect(executions).toHaveLength(1);
    expect(executions[0]).toMatchObject({ code, language: 'python' });
  });

  it('says the preview is unavailable, and keeps the code, once E2B cannot be reached', async () => {
    await e2b.stop();
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.locator('.sandbox-run[data-status="done"]').waitFor();

    const notice = await page.getByTestId('sandbox-unavailable').textContent();
    expect(notice).toMatch(/^Preview unavailable: E2B Sandbox\.create failed: \S/);
    expect(await page.getByTestId('sandbox-exit').count()).toBe(0);
    expect(await page.getByTestId('sandbox-stdout').count()).toBe(0);

    await page.getByRole('tab', { name: 'Code' }).click();
    expect(await page.getByTestId('fragment-code').textContent()).toContain('print(f"sum is {total}")');
    expect(pageErrors).toEqual([]);
  });
});
