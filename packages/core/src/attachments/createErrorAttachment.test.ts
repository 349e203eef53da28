import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { createChatRequestSchema } from '../wire/chatRequest.js';
import { attachmentSchema } from './attachment.js';
import { contentHash } from './contentHash.js';
import { createErrorAttachment } from './createErrorAttachment.js';

const source = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`).join('\n');
const stack = [
  "TypeError: Cannot read properties of undefined (reading 'map')",
  '    at List (https://app.test/src/List.tsx?t=1718033218533:4:20)',
  '    at render (https://app.test/src/App.tsx?t=1718033218533:12:9)',
  '    at renderWithHooks (https://app.test/node_modules/.vite/deps/react-dom.js:1:2)',
].join('\n');

function expectInvalid(run: () => unknown): void {
  try {
    run();
    expect.unreachable();
  } catch (error) {
    expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
  }
}

describe('createErrorAttachment', () => {
  it('takes the failing line from the topmost frame in the file and the code around it', () => {
    const attachment = createErrorAttachment({
      message: "Cannot read properties of undefined (reading 'map')",
      stack,
      filePath: 'src/App.tsx',
      source,
    });
    expect(attachment).toMatchObject({
      kind: 'error',
      filePath: 'src/App.tsx',
      language: 'tsx',
      errorType: 'TypeError',
      failingLine: 12,
      range: { startLine: 7, endLine: 17 },
      text: Array.from({ length: 11 }, (_, index) => `line ${index + 7}`).join('\n'),
    });
    expect(attachment.contentHash).toBe(contentHash(attachment.text));
    expect(attachment.frames.map((frame) => [frame.function, frame.line])).toEqual([
      ['List', 4],
      ['render', 12],
      ['renderWithHooks', 1],
    ]);
    expect(attachment.id).toMatch(/^src\/App\.tsx#L12:error:[0-9a-f]{16}$/);
    expect(attachmentSchema.parse(attachment)).toEqual(attachment);
  });

  it('clamps the context to the file and honours an explicit line, type and width', () => {
    const attachment = createErrorAttachment({
      message: 'boom',
      errorType: 'RangeError',
      filePath: 'src/App.tsx',
      source,
      line: 2,
      contextLines: 3,
    });
    expect(attachment).toMatchObject({ errorType: 'RangeError', failingLine: 2, range: { startLine: 1, endLine: 5 } });
  });

  it('is the same attachment when the same error is attached twice, and another for another message', () => {
    const options = { message: 'boom', stack, filePath: 'src/App.tsx', source };
    expect(createErrorAttachment(options).id).toBe(createErrorAttachment(options).id);
    expect(createErrorAttachment({ ...options, message: 'bang' }).id).not.toBe(createErrorAttachment(options).id);
  });

  it('matches frames by path, whatever the origin, query or leading ./', () => {
    const fileStack = 'Error: x\n    at main (file:///home/me/project/src/main.ts:3:1)';
    expect(
      createErrorAttachment({ message: 'x', stack: fileStack, filePath: './src/main.ts', source }).failingLine,
    ).toBe(3);
  });

  it('rejects a stack with no frame in the file, and a line past the end of the source', () => {
    expectInvalid(() => createErrorAttachment({ message: 'x', stack, filePath: 'src/Other.tsx', source }));
    expectInvalid(() => createErrorAttachment({ message: 'x', filePath: 'src/App.tsx', source, line: 31 }));
    expectInvalid(() => createErrorAttachment({ message: 'x', filePath: '', source, line: 1 }));
  });

  it('travels in a chat request, and the schema checks that the failing line is in range', () => {
    const attachment = createErrorAttachment({ message: 'boom', stack, filePath: 'src/App.tsx', source });
    const schema = createChatRequestSchema();
    expect(schema.parse({ input: 'Fix this', attachments: [attachment] }).attachments[0]).toEqual(attachment);
    expect(schema.safeParse({ input: 'Fix this', attachments: [{ ...attachment, failingLine: 30 }] }).success).toBe(
      false,
    );
    expect(
      createChatRequestSchema({ maxAttachmentChars: 10 }).safeParse({ input: 'x', attachments: [attachment] }).success,
    ).toBe(false);
  });
});
