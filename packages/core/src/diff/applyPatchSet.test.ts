import { describe, expect, it } from 'vitest';
import { counterSource } from './__fixtures__/sourceFiles.js';
import { applyPatchSet, type FileContent } from './applyPatchSet.js';
import { createUnifiedDiff } from './createUnifiedDiff.js';
import { parseUnifiedDiff } from './parseUnifiedDiff.js';

const files: FileContent[] = [
  { path: 'src/Counter.tsx', content: counterSource },
  { path: 'src/format.ts', content: 'export const format = (n: number) => String(n);\n' },
  { path: 'README.md', content: '# Counter\n' },
];

const modifyCounter = createUnifiedDiff(
  'src/Counter.tsx',
  counterSource,
  counterSource.replace('<span>{count}</span>', '<output>{count}</output>'),
);
const createTest = createUnifiedDiff('src/Counter.test.tsx', null, "it('counts', () => {});\n");
const deleteReadme = createUnifiedDiff('README.md', '# Counter\n', null);
const renameFormat = `diff --git a/src/format.ts b/src/formatCount.ts
similarity index 60%
rename from src/format.ts
rename to src/formatCount.ts
--- a/src/format.ts
+++ b/src/formatCount.ts
@@ -1 +1 @@
-export const format = (n: number) => String(n);
+export const formatCount = (n: number) => n.toLocaleString();
`;
const brokenHunk = `--- a/src/format.ts
+++ b/src/format.ts
@@ -1 +1 @@
-export const format = (n: number) => n.toFixed(2);
+export const format = (n: number) => n.toFixed(0);
`;

describe('applyPatchSet', () => {
  it('modifies, creates, deletes and renames files in one set', () => {
    const patches = parseUnifiedDiff([modifyCounter, createTest, deleteReadme, renameFormat].join(''));
    const outcome = applyPatchSet(files, patches);

    expect(outcome.ok).toBe(true);
    expect(outcome.files).toEqual([
      { path: 'src/Counter.tsx', content: counterSource.replace('<span>{count}</span>', '<output>{count}</output>') },
      { path: 'src/Counter.test.tsx', content: "it('counts', () => {});\n" },
      { path: 'src/formatCount.ts', content: 'export const formatCount = (n: number) => n.toLocaleString();\n' },
    ]);
    expect(outcome.results.map((entry) => [entry.type, entry.path, entry.result.ok])).toEqual([
      ['modify', 'src/Counter.tsx', true],
      ['add', 'src/Counter.test.tsx', true],
      ['delete', 'README.md', true],
      ['rename', 'src/formatCount.ts', true],
    ]);
  });

  it('is all or nothing by default: one failed patch leaves every file as it was', () => {
    const outcome = applyPatchSet(files, parseUnifiedDiff(modifyCounter + brokenHunk));
    expect(outcome.ok).toBe(false);
    expect(outcome.files).toEqual(files);
    expect(outcome.results[1]).toMatchObject({
      path: 'src/format.ts',
      result: { ok: false, reason: 'context-not-found' },
    });
  });

  it('keeps the patches that applied when all-or-nothing is off', () => {
    const outcome = applyPatchSet(files, parseUnifiedDiff(modifyCounter + brokenHunk), { allOrNothing: false });
    expect(outcome.ok).toBe(false);
    expect(outcome.files[0]!.content).toContain('<output>{count}</output>');
    expect(outcome.files[1]).toEqual(files[1]);
  });

  it('applies two patches of one file one after the other', () => {
    const first = createUnifiedDiff('README.md', '# Counter\n', '# Counter\n\nCounts.\n');
    const second = createUnifiedDiff('README.md', '# Counter\n\nCounts.\n', '# Counter app\n\nCounts.\n');
    const outcome = applyPatchSet(files, parseUnifiedDiff(first + second));
    expect(outcome.files.find((file) => file.path === 'README.md')?.content).toBe('# Counter app\n\nCounts.\n');
  });

  it('matches paths with a leading ./ and keeps the caller’s spelling', () => {
    const outcome = applyPatchSet(
      [{ path: './README.md', content: '# Counter\n' }],
      parseUnifiedDiff(createUnifiedDiff('README.md', '# Counter\n', '# Counter!\n')),
    );
    expect(outcome.files).toEqual([{ path: './README.md', content: '# Counter!\n' }]);
  });

  it('fails patches on missing files, creations over existing files and renames onto existing files', () => {
    const patches = parseUnifiedDiff(
      createUnifiedDiff('src/missing.ts', 'a\n', 'b\n') +
        createUnifiedDiff('README.md', null, '# Other\n') +
        'diff --git a/src/format.ts b/README.md\nrename from src/format.ts\nrename to README.md\n',
    );
    const outcome = applyPatchSet(files, patches, { allOrNothing: false });
    expect(outcome.results.map((entry) => entry.result.ok || entry.result.reason)).toEqual([
      'file-not-found',
      'file-exists',
      'file-exists',
    ]);
    expect(outcome.files).toEqual(files);
  });

  it('rejects file lists with duplicate or malformed entries with a typed error', () => {
    expect(() => applyPatchSet([files[0]!, files[0]!], [])).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() => applyPatchSet([{ path: 'x' } as FileContent], [])).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});
