import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../../internal/fake-provider/src/index.js';
import { launchChromium } from '../../scripts/chromium.js';
import { workspaceRoot } from '../../scripts/workspacePackages.js';
import {
  type ConsumerProject,
  type ConsumerServer,
  createConsumerProject,
  runCommand,
  startConsumerServer,
} from './consumerProject.js';
import { parseServerSentEvents } from './serverSentEvents.js';

const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');

async function selectLines(page: Page, startLine: number, endLine: number) {
  const start = await page.locator(`[data-line="${startLine}"] .fk-line-content`).boundingBox();
  const end = await page.locator(`[data-line="${endLine}"] .fk-line-content`).boundingBox();
  if (!start || !end) throw new Error(`lines ${startLine}-${endLine} are not visible`);
  await page.mouse.move(start.x + 1, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(end.x + end.width - 2, end.y + end.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.mouse.click(start.x + 20, start.y + start.height / 2, { button: 'right' });
}

describe('the packed packages in a project outside the workspace', () => {
  let project: ConsumerProject;
  let fake: FakeProvider;
  let server: ConsumerServer;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const started = performance.now();
    project = await createConsumerProject();
    const installed = performance.now();
    await runCommand(join(project.directory, 'node_modules', '.bin', 'vite'), ['build'], { cwd: project.directory });
    console.log(
      `packed and installed in ${Math.round(installed - started)} ms, vite build in ${Math.round(performance.now() - installed)} ms (${project.directory})`,
    );
    fake = await startFakeProvider({ chunkDelayMs: 10 });
    server = await startConsumerServer(project.directory, { ANTHROPIC_BASE_URL: fake.anthropicBaseURL });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
    project?.remove();
  });

  it('ships built files only, with the client directive on the React bundle', () => {
    for (const tarball of Object.values(project.tarballs)) {
      const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
      expect(files).toContain('package/package.json');
      expect(files.some((file) => file.startsWith('package/dist/') && file.endsWith('.d.ts'))).toBe(true);
      expect(files.filter((file) => /\.test\.tsx?$/.test(file))).toEqual([]);
    }
    const reactEntry = join(project.directory, 'node_modules', '@fragmentkit', 'react', 'dist', 'index.js');
    expect(readFileSync(reactEntry, 'utf8').startsWith("'use client';")).toBe(true);
    const serverManifest = JSON.parse(
      readFileSync(join(project.directory, 'node_modules', '@fragmentkit', 'server', 'package.json'), 'utf8'),
    );
    expect(serverManifest.dependencies['@fragmentkit/core']).not.toContain('workspace:');
  });

  // Both resolutions at once: each is a separate tsc process and they take most of this file's time.
  it.concurrent.each(['tsconfig.bundler.json', 'tsconfig.node16.json'])(
    'typechecks against the installed types, libraries included (%s)',
    async (config) => {
      await runCommand(process.execPath, [tsc, '-p', config], { cwd: project.directory });
    },
  );

  it('answers POST /chat with a stream that ends in `done`', async () => {
    fake.reset();
    const response = await fetch(`${server.url}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Add a reset button', attachments: [] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseServerSentEvents(await response.text());
    expect(events.map((event) => event.event).at(-1)).toBe('done');
    const done = events.at(-1)!.data as { fragment: { code: string } };
    expect(done.fragment.code).toContain('Add a reset button');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.messages.at(-1)!.content).toContain('Add a reset button');
  });

  it('serves the Vite-built app, attaches lines and streams a fragment in Chromium', async () => {
    fake.reset();
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);

    await selectLines(page, 4, 5);
    await page.getByRole('menuitem', { name: 'Attach lines 4–5' }).click();
    const panel = page.getByRole('region', { name: 'Attached context' });
    await expect.poll(() => panel.getByRole('listitem').count()).toBe(1);

    await page.getByLabel('Ask for a fragment').fill('Make the counter count down');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('chat-status').filter({ hasText: 'done' }).waitFor();
    expect(await page.getByTestId('fragment-code').textContent()).toContain('Make the counter count down');
    expect(pageErrors).toEqual([]);

    expect(fake.requests).toHaveLength(1);
    const lastMessage = fake.requests[0]!.messages.at(-1)!.content;
    expect(lastMessage).toContain('File: src/Counter.tsx (lines 4-5)');
    expect(lastMessage).toContain('const [count, setCount] = useState(0);');
    expect(lastMessage).not.toContain("import { useState } from 'react';");
    expect(lastMessage).toContain('Make the counter count down');
  });
});
