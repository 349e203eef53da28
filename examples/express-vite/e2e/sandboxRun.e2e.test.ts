import { detectBubblewrap } from '@fragmentkit/core/node';
import { type FakeProvider, type FakeTextReply, startFakeProvider } from '@fragmentkit/fake-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer } from './appServer.js';
import { launchChromium } from './browser.js';

const bubblewrap = await detectBubblewrap();

function pythonFragmentReply(title: string, code: string): FakeTextReply {
  const fragment = {
    commentary: `Runs ${title} in the sandbox.`,
    template: 'code-interpreter-v1',
    title,
    description: 'A sandbox probe.',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    file_path: 'main.py',
    code,
  };
  return { text: JSON.stringify(fragment) };
}

/** Reads where it runs and tries the app server on the host's loopback, which the sandbox must not reach. */
function isolationProbe(appPort: number): FakeTextReply {
  return pythonFragmentReply(
    'Isolation probe',
    [
      'import os, socket',
      'print("cwd:", os.getcwd())',
      'try:',
      `    socket.create_connection(("127.0.0.1", ${appPort}), timeout=2)`,
      '    print("host: reached")',
      'except OSError:',
      '    print("host: blocked")',
    ].join('\n'),
  );
}

const replies: Record<string, FakeTextReply> = {
  'probe-stdout': pythonFragmentReply(
    'Stdout probe',
    [
      'import platform',
      'total = sum(range(1, 101))',
      'print(f"sum is {total} on {platform.python_implementation()}")',
    ].join('\n'),
  ),
};

if (!bubblewrap.available && process.env.CI === 'true') {
  describe('the local sandbox on CI', () => {
    it('has bubblewrap', () => {
      throw new Error(`CI must run the sandbox e2e test under bubblewrap: ${bubblewrap.reason}`);
    });
  });
}

describe.skipIf(!bubblewrap.available)('Run in the local sandbox, in Chromium', () => {
  let fake: FakeProvider;
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeProvider({
      chunkDelayMs: 0,
      respond: (request) => {
        const prompt = request.messages.at(-1)?.content ?? '';
        for (const [marker, reply] of Object.entries(replies)) if (prompt.includes(marker)) return reply;
        return { error: { status: 400, type: 'invalid_request_error', message: `no probe for: ${prompt}` } };
      },
    });
    app = await startAppServer({
      ANTHROPIC_API_KEY: 'sk-ant-e2e',
      ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
      FRAGMENTKIT_SANDBOX: 'local',
    });
    replies['probe-isolation'] = isolationProbe(Number(new URL(app.url).port));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  async function runProbe(marker: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(app.url);
    await expect.poll(() => page.getByText('model: claude-sonnet-4-5 (anthropic)').count()).toBe(1);
    await page.getByLabel('Ask for a fragment').fill(`Run ${marker}`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('chat-status').filter({ hasText: 'done' }).waitFor();
    await page.getByRole('tab', { name: 'Run' }).click();
    await page.getByRole('button', { name: 'Run in the local sandbox' }).click();
    await page.locator('.sandbox-run[data-status="done"]').waitFor();
    return page;
  }

  it('runs a Python fragment from the model in the sandbox and shows its stdout', async () => {
    const page = await runProbe('probe-stdout');
    expect(await page.getByTestId('sandbox-stdout').textContent()).toBe('sum is 5050 on CPython\n');
    expect(await page.getByTestId('sandbox-exit').textContent()).toBe('completed · exit code 0');
    expect(await page.getByTestId('sandbox-unavailable').count()).toBe(0);
    await page.close();
  });

  it('runs it in its own work directory, cut off from the host’s loopback services', async () => {
    const page = await runProbe('probe-isolation');
    expect((await page.getByTestId('sandbox-stdout').textContent())?.split('\n')).toEqual([
      'cwd: /workspace',
      'host: blocked',
      '',
    ]);
    await page.close();
  });
});
