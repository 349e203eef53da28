import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FakeProvider, startFakeProvider } from '@fragmentkit/fake-provider';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer } from './appServer.js';
import { launchChromium } from './browser.js';

const screenshotDir = fileURLToPath(new URL('../test-results/', import.meta.url));

describe('incidents in the reference app', () => {
  let fake: FakeProvider;
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeProvider({ chunkDelayMs: 5 });
    app = await startAppServer({ ANTHROPIC_API_KEY: 'sk-ant-e2e', ANTHROPIC_BASE_URL: fake.anthropicBaseURL });
    browser = await launchChromium();
    mkdirSync(screenshotDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('reports a thrown error from minified code, lists it live, and "Fix" sends the mapped frame and its code', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(app.url);

    const demo = page.getByRole('region', { name: 'Incidents demo' });
    await demo.getByRole('button', { name: 'Start incident reporting' }).click();
    const run = demo.getByRole('button', { name: 'Run checkout (throws)' });
    await run.waitFor({ timeout: 30_000 });
    await run.click();

    // The page's own error handling still sees the error: the reporter only listens.
    await expect.poll(() => pageErrors.length).toBe(1);
    expect(pageErrors[0]).toContain("reading 'amount'");

    const list = demo.getByRole('region', { name: 'Incidents' });
    await list
      .getByRole('listitem')
      .filter({ hasText: "TypeError: Cannot read properties of undefined (reading 'amount')" })
      .waitFor();
    expect(await list.textContent()).toContain('1 event');

    // A second failure of the same bug counts on the same incident, live.
    await run.click();
    await list.getByText('2 events').waitFor();
    expect(await list.getByRole('listitem').count()).toBe(1);

    const fix = list.getByRole('button', { name: /^Fix TypeError: Cannot read properties of undefined/ });
    await fix.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('chat-status').filter({ hasText: 'done' }).waitFor();
    await page.screenshot({ path: `${screenshotDir}incidents.png`, fullPage: true });

    expect(fake.requests).toHaveLength(1);
    const prompt = fake.requests[0]!.messages.at(-1)!.content;
    // The failing frame, mapped from the minified bundle back to the source through its map.
    expect(prompt).toContain('Runtime error in src/incidents/demoCheckout.ts at line 11 (commit demo0001):');
    expect(prompt).toMatch(/src\/incidents\/demoCheckout\.ts:11:\d+/);
    // The code around the failing line.
    expect(prompt).toContain('File: src/incidents/demoCheckout.ts (lines 6-16, failing line 11)');
    expect(prompt).toContain('  const rule = cart.discounts[code] as { amount: number };');
    expect(prompt).toContain('  return cart.total - rule.amount;');
    expect(prompt).toContain("Fix this error: TypeError: Cannot read properties of undefined (reading 'amount')");
  });
});
