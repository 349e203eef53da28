import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { IncidentDetail } from '../incidents/incidentRecord.js';
import { parseStackTrace } from '../incidents/parseStackTrace.js';
import { renderAttachment } from '../prompt/renderAttachment.js';
import { attachmentSchema } from './attachment.js';
import { createIncidentAttachment } from './createIncidentAttachment.js';

const checkout = [
  'interface Cart {',
  '  total: number;',
  '  discounts: Record<string, { amount: number }>;',
  '}',
  '',
  'export function applyDiscount(cart: Cart, code: string): number {',
  '  const rule = cart.discounts[code];',
  '  return cart.total - rule.amount;',
  '}',
  '',
  'export function submitCheckout(cart: Cart): number {',
  "  return applyDiscount(cart, 'SPRING');",
  '}',
].join('\n');

const detail: IncidentDetail = {
  incident: {
    id: 'c2b9b5f0-4a5e-4f4e-9a55-2d1f0e7b9c10',
    projectId: 'd1f0e7b9-2f7a-4c1e-9a55-2d1f0e7b9c10',
    repo: 'acme/shop',
    fingerprint: 'abc',
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'amount')",
    level: 'error',
    status: 'open',
    count: 3,
    firstSeen: '2025-01-01T00:00:00.000Z',
    lastSeen: '2025-01-01T00:00:00.000Z',
    commitSha: '9f8e7d6',
    environment: 'production',
    release: '2.0.0',
    updatedAt: '2025-01-01T00:00:00.000Z',
  },
  latestEvent: null,
  frames: [
    {
      function: 'x',
      file: 'https://shop.test/assets/vendor-4f2a9b1c.js',
      line: 1,
      column: 10,
      inApp: false,
      raw: 'at x',
    },
    {
      function: 'a',
      file: 'https://shop.test/assets/index-4f2a9b1c.js',
      line: 1,
      column: 512,
      inApp: true,
      raw: 'at a (https://shop.test/assets/index-4f2a9b1c.js:1:512)',
      original: { file: 'src/checkout.ts', line: 8, column: 29, function: 'applyDiscount' },
    },
    {
      function: 'p',
      file: 'https://shop.test/assets/index-4f2a9b1c.js',
      line: 1,
      column: 580,
      inApp: true,
      raw: 'at p (https://shop.test/assets/index-4f2a9b1c.js:1:580)',
      original: { file: 'src/checkout.ts', line: 12 },
    },
  ],
};

describe('createIncidentAttachment', () => {
  it('uses the mapped top in-app frame, the code around it and the commit', () => {
    const attachment = createIncidentAttachment({
      error: detail,
      files: [
        { path: 'src/other.ts', code: 'export {};' },
        { path: 'src/checkout.ts', code: checkout },
      ],
      contextLines: 2,
    });
    expect(attachment).toMatchObject({
      kind: 'error',
      filePath: 'src/checkout.ts',
      failingLine: 8,
      range: { startLine: 6, endLine: 10 },
      errorType: 'TypeError',
      message: "Cannot read properties of undefined (reading 'amount')",
      commitSha: '9f8e7d6',
    });
    expect(attachment.text).toContain('return cart.total - rule.amount;');
    expect(attachment.frames[1]).toMatchObject({
      function: 'applyDiscount',
      file: 'src/checkout.ts',
      line: 8,
      column: 29,
      raw: 'at applyDiscount (src/checkout.ts:8:29)',
    });
    expect(attachment.frames[2]).not.toHaveProperty('column');
    expect(attachmentSchema.parse(attachment)).toEqual(attachment);
    const rendered = renderAttachment(attachment);
    expect(rendered).toContain('Runtime error in src/checkout.ts at line 8 (commit 9f8e7d6):');
    expect(rendered).toContain('at applyDiscount (src/checkout.ts:8:29)');
  });

  it("takes a preview's runtime error with the fragment's code", () => {
    const stack =
      "TypeError: Cannot read properties of undefined (reading 'amount')\n    at applyDiscount (App.tsx:8:27)\n    at App (App.tsx:12:10)";
    const attachment = createIncidentAttachment({
      error: { name: 'TypeError', message: 'boom', frames: parseStackTrace(stack) },
      files: [{ path: 'App.tsx', code: checkout }],
    });
    expect(attachment).toMatchObject({ filePath: 'App.tsx', failingLine: 8, range: { startLine: 3, endLine: 13 } });
    expect(attachment).not.toHaveProperty('commitSha');
  });

  it('skips frames past the end of the given file and says what is missing when nothing matches', () => {
    const frames = parseStackTrace('Error: x\n    at f (App.tsx:400:1)\n    at g (App.tsx:2:1)');
    expect(
      createIncidentAttachment({
        error: { name: 'Error', message: 'x', frames },
        files: [{ path: 'App.tsx', code: checkout }],
      }).failingLine,
    ).toBe(2);
    let thrown: unknown;
    try {
      createIncidentAttachment({ error: detail, files: [{ path: 'src/cart.ts', code: checkout }] });
    } catch (error) {
      thrown = error;
    }
    expect(FragmentkitError.isInstance(thrown) && thrown.code).toBe('INVALID_REQUEST');
    expect((thrown as Error).message).toContain('src/cart.ts');
  });
});
