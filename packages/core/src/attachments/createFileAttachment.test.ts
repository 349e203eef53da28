import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { attachmentSchema } from './attachment.js';
import { contentHash } from './contentHash.js';
import { createFileAttachment } from './createFileAttachment.js';

describe('createFileAttachment', () => {
  it('attaches a whole file as lines 1..N, the final line break ending the last line', () => {
    const file = createFileAttachment({
      filePath: 'src/theme.ts',
      text: 'export const a = 1;\r\nexport const b = 2;\n',
    });
    expect(file).toEqual({
      id: 'src/theme.ts#file',
      kind: 'file',
      filePath: 'src/theme.ts',
      language: 'typescript',
      text: 'export const a = 1;\nexport const b = 2;',
      range: { startLine: 1, endLine: 2 },
      contentHash: contentHash('export const a = 1;\nexport const b = 2;'),
    });
    expect(attachmentSchema.parse(file)).toEqual(file);
  });

  it('keeps its id when the file changes, so attaching it again replaces it', () => {
    const before = createFileAttachment({ filePath: 'a.py', text: 'x = 1' });
    const after = createFileAttachment({ filePath: 'a.py', text: 'x = 1\ny = 2\n' });
    expect(after.id).toBe(before.id);
    expect(after.contentHash).not.toBe(before.contentHash);
    expect(after.range).toEqual({ startLine: 1, endLine: 2 });
  });

  it('treats an empty file as one empty line and takes an explicit language', () => {
    expect(createFileAttachment({ filePath: 'notes', text: '', language: 'text' })).toMatchObject({
      text: '',
      language: 'text',
      range: { startLine: 1, endLine: 1 },
    });
  });

  it('rejects an empty path with INVALID_REQUEST', () => {
    try {
      createFileAttachment({ filePath: ' ', text: 'x' });
      expect.unreachable();
    } catch (error) {
      expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
    }
  });
});
