// biome-ignore-all lint/suspicious/noExplicitAny: page code reads the untyped globals the fixture page sets.
// @vitest-environment node
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../test/launchChromium.js';

/** The part of esbuild's API used here; esbuild ships with tsup, the package's build tool. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: Array<{ path: string; text: string }> }>;
}
const esbuild: Esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild');

const runs = chromiumAvailable || process.env.CI === 'true';
if (!runs) console.warn('Skipping the Monaco browser tests: no Chromium at /usr/bin/chromium (set CHROMIUM_PATH).');

describe.runIf(runs)('monacoAttachments in Chromium', { timeout: 30_000 }, () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const bundle = await esbuild.build({
      entryPoints: [fileURLToPath(new URL('../../test/monacoPage.ts', import.meta.url))],
      bundle: true,
      write: false,
      outdir: 'out',
      format: 'iife',
      conditions: ['@fragmentkit/source'],
      loader: { '.ttf': 'dataurl' },
      logLevel: 'silent',
    });
    const script = bundle.outputFiles.find((file) => file.path.endsWith('.js'))!.text;
    const style = bundle.outputFiles.find((file) => file.path.endsWith('.css'))?.text ?? '';
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent(
      '<!doctype html><html><body><div id="editor" style="width:800px;height:400px"></div></body></html>',
    );
    await page.addStyleTag({ content: `${style}\n.fk-attached-lines { background: #eef; }` });
    await page.addScriptTag({ content: script });
    await page.evaluate(() => {
      const { fixture } = globalThis as any;
      const source = ['import a from "a";', '', 'function one() {', '  return 1;', '}', '', ''].join('\n');
      const editor = fixture.monaco.editor.create(document.getElementById('editor'), {
        value: source,
        language: 'typescript',
      });
      const store = fixture.createAttachmentStore();
      const stale = fixture.createStaleAttachments();
      const binding = fixture.monacoAttachments({
        monaco: fixture.monaco,
        editor,
        store,
        stale,
        filePath: 'src/one.ts',
      });
      Object.assign(globalThis, { editor, store, stale, binding });
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const ids = () => page.evaluate(() => (globalThis as any).store.getSnapshot().map((a: { id: string }) => a.id));
  const reset = () =>
    page.evaluate(() => {
      const { editor, store } = globalThis as any;
      store.clear();
      editor.setValue(['import a from "a";', '', 'function one() {', '  return 1;', '}', '', ''].join('\n'));
    });

  it('attaches the selection as whole lines, and the current line for an empty selection', async () => {
    await reset();
    const attached = await page.evaluate(() => {
      const { editor, binding, fixture } = globalThis as any;
      editor.setSelection(new fixture.monaco.Selection(3, 5, 5, 1));
      const partial = binding.attachSelection();
      editor.setSelection(new fixture.monaco.Selection(4, 3, 4, 3));
      const caret = binding.attachSelection();
      return [partial, caret].map((a) => ({ id: a.id, text: a.text }));
    });
    expect(attached).toEqual([
      { id: 'src/one.ts#L3-L4', text: 'function one() {\n  return 1;' },
      { id: 'src/one.ts#L4-L4', text: '  return 1;' },
    ]);
  });

  it('attaches with the Ctrl+Shift+L keybinding typed into the editor', async () => {
    await reset();
    await page.evaluate(() => {
      const { editor, fixture } = globalThis as any;
      editor.setSelection(new fixture.monaco.Selection(1, 1, 1, 1));
      editor.focus();
    });
    await page.keyboard.press('Control+Shift+L');
    expect(await ids()).toEqual(['src/one.ts#L1-L1']);
  });

  it('offers "Attach selection" in the editor context menu', async () => {
    await reset();
    await page.evaluate(() => {
      const { editor, fixture } = globalThis as any;
      editor.setSelection(new fixture.monaco.Selection(3, 1, 5, 2));
      editor.focus();
    });
    // Right-clicking inside the selection keeps it.
    await page.locator('.view-line', { hasText: 'return 1;' }).click({ button: 'right' });
    const item = page.getByText('Attach selection', { exact: true });
    // Hover first, as a person does: Monaco's menu ignores a release right after it opened.
    await item.hover();
    await item.click();
    // Monaco runs a menu action once the menu has closed.
    await expect.poll(ids, { timeout: 10_000 }).toEqual(['src/one.ts#L3-L5']);
  });

  it('moves a decorated range with edits above it and marks it stale after edits inside, with a refresh', async () => {
    await reset();
    await page.evaluate(() => {
      const { editor, binding, fixture } = globalThis as any;
      editor.setSelection(new fixture.monaco.Selection(3, 1, 5, 2));
      binding.attachSelection();
    });
    await expect.poll(() => page.locator('.fk-attached-lines').count(), { timeout: 10_000 }).toBe(3);

    await page.evaluate(() => {
      const { editor, fixture } = globalThis as any;
      editor.executeEdits('test', [{ range: new fixture.monaco.Range(1, 1, 1, 1), text: '// header\n// more\n' }]);
    });
    expect(await ids()).toEqual(['src/one.ts#L5-L7']);
    expect(await page.evaluate(() => (globalThis as any).stale.getSnapshot().size)).toBe(0);
    await expect.poll(() => page.locator('.fk-attached-lines').count(), { timeout: 10_000 }).toBe(3);

    await page.evaluate(() => {
      const { editor, fixture } = globalThis as any;
      editor.executeEdits('test', [{ range: new fixture.monaco.Range(6, 1, 6, 1), text: '  const two = 2;\n' }]);
    });
    expect(await ids()).toEqual(['src/one.ts#L5-L7']);
    expect(await page.evaluate(() => [...(globalThis as any).stale.getSnapshot().keys()])).toEqual([
      'src/one.ts#L5-L7',
    ]);

    const refreshed = await page.evaluate(() => {
      const { stale, store } = globalThis as any;
      stale.getSnapshot().get('src/one.ts#L5-L7')();
      return {
        attachments: store.getSnapshot().map((a: { id: string; text: string }) => [a.id, a.text]),
        stale: stale.getSnapshot().size,
      };
    });
    expect(refreshed).toEqual({
      attachments: [['src/one.ts#L5-L8', 'function one() {\n  const two = 2;\n  return 1;\n}']],
      stale: 0,
    });
  });

  it('attaches the whole file and removes decorations of detached snippets', async () => {
    await reset();
    const file = await page.evaluate(() => {
      const { binding, editor, fixture } = globalThis as any;
      editor.setSelection(new fixture.monaco.Selection(4, 1, 4, 1));
      binding.attachSelection();
      return binding.attachFile();
    });
    expect(file).toMatchObject({ id: 'src/one.ts#file', kind: 'file', range: { startLine: 1, endLine: 6 } });
    await expect.poll(() => page.locator('.fk-attached-lines').count(), { timeout: 10_000 }).toBe(1);
    await page.evaluate(() => (globalThis as any).store.remove('src/one.ts#L4-L4'));
    await expect.poll(() => page.locator('.fk-attached-lines').count(), { timeout: 10_000 }).toBe(0);
  });

  it('tracks afresh when the editor gets a new model of the file', async () => {
    await reset();
    const result = await page.evaluate(() => {
      const { editor, binding, fixture, stale, store } = globalThis as any;
      editor.setSelection(new fixture.monaco.Selection(4, 1, 4, 1));
      binding.attachSelection();
      const previous = editor.getModel();
      editor.setModel(
        fixture.monaco.editor.createModel('// new header\nfunction one() {\n  return 2;\n}\n', 'typescript'),
      );
      previous.dispose();
      const staleIds = [...stale.getSnapshot().keys()];
      stale.getSnapshot().get('src/one.ts#L4-L4')();
      return { staleIds, attachments: store.getSnapshot().map((a: { id: string; text: string }) => [a.id, a.text]) };
    });
    expect(result).toEqual({ staleIds: ['src/one.ts#L4-L4'], attachments: [['src/one.ts#L4-L4', '}']] });
    await expect.poll(() => page.locator('.fk-attached-lines').count(), { timeout: 10_000 }).toBe(1);
  });
});
