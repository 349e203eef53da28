import { incidentLimits } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { previewChannel, readPreviewMessage } from './previewMessage.js';
import { toPreviewRuntimeError } from './previewRuntimeError.js';

const error = {
  channel: previewChannel,
  type: 'error',
  kind: 'unhandledrejection',
  name: 'Error',
  message: 'nope',
  stack: 'Error: nope\n    at load (App.tsx:7:11)',
};

describe('readPreviewMessage', () => {
  it('reads ready and error messages, keeping only known fields', () => {
    expect(readPreviewMessage({ channel: previewChannel, type: 'ready', extra: 1 })).toEqual({ type: 'ready' });
    expect(readPreviewMessage({ ...error, injected: '<img>' })).toEqual({
      type: 'error',
      kind: 'unhandledrejection',
      name: 'Error',
      message: 'nope',
      stack: 'Error: nope\n    at load (App.tsx:7:11)',
    });
  });

  it.each([
    ['no object', 'ready'],
    ['null', null],
    ['another channel', { ...error, channel: 'webpack' }],
    ['an unknown type', { ...error, type: 'navigate' }],
    ['a kind only the host may use', { ...error, kind: 'compile' }],
    ['an unknown kind', { ...error, kind: 'warning' }],
    ['a non-string message', { ...error, message: { toString: (): string => 'x' } }],
    ['a missing stack', { ...error, stack: undefined }],
  ])('ignores %s', (_case, data) => {
    expect(readPreviewMessage(data)).toBeUndefined();
  });
});

describe('toPreviewRuntimeError', () => {
  it('parses the stack and marks only the fragment frames in-app', () => {
    const parsed = toPreviewRuntimeError(
      {
        kind: 'error',
        name: 'TypeError',
        message: 'x is undefined',
        stack: [
          'TypeError: x is undefined',
          '    at console.error (fragmentkit-preview-bootstrap.js:40:20)',
          '    at App (App.tsx:3:9)',
          '    at Xa (https://app.test/api/fragmentkit/preview/runtime.js:1:900)',
        ].join('\n'),
      },
      {
        filePath: 'App.tsx',
        ownFiles: ['fragmentkit-preview-bootstrap.js', 'https://app.test/api/fragmentkit/preview/runtime.js'],
      },
    );
    expect(parsed.filePath).toBe('App.tsx');
    expect(parsed.frames.map((frame) => [frame.function, frame.inApp])).toEqual([
      ['console.error', false],
      ['App', true],
      ['Xa', false],
    ]);
  });

  it('caps what a runaway frame can send', () => {
    const parsed = toPreviewRuntimeError(
      { kind: 'console-error', name: 'N'.repeat(10_000), message: 'm'.repeat(100_000), stack: 's'.repeat(100_000) },
      { filePath: 'App.tsx', ownFiles: [] },
    );
    expect(parsed.name).toHaveLength(incidentLimits.maxTypeLength);
    expect(parsed.message).toHaveLength(incidentLimits.maxMessageLength);
    expect(parsed.stack.length).toBeLessThanOrEqual(16_384);
  });
});
