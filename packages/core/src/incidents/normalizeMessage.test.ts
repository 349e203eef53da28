import { describe, expect, it } from 'vitest';
import { normalizeMessage } from './normalizeMessage.js';

describe('normalizeMessage', () => {
  it.each([
    ['Order 42 not found', 'Order <n> not found'],
    ['Timeout after 30.5s', 'Timeout after <n>s'],
    ['GET https://api.test/orders/42?x=1 returned 503', 'GET <url> returned <n>'],
    ['No user ana.silva+test@example.co.uk', 'No user <email>'],
    ['Session 3f0c2a9e-7b1d-4c8e-9f2a-6d5e4c3b2a10 expired', 'Session <uuid> expired'],
    ['Object 5f2b9c1e8a7d6c5b4a3f2e1d missing', 'Object <hex> missing'],
    ['Build 20240611 failed', 'Build <n> failed'],
    ['Segfault at 0x7ffe3b2c', 'Segfault at <hex>'],
    ['Bad commit a3f9c21', 'Bad commit <hex>'],
    [
      'Cannot read properties of undefined (reading "facade")',
      'Cannot read properties of undefined (reading "facade")',
    ],
    ['  many\n  lines\tand   spaces ', 'many lines and spaces'],
  ])('%s', (message, expected) => {
    expect(normalizeMessage(message)).toBe(expected);
  });

  it('cuts very long messages before matching', () => {
    expect(normalizeMessage('x'.repeat(100_000))).toHaveLength(1000);
    expect(normalizeMessage(`${'a'.repeat(50_000)}@`)).toHaveLength(1000);
  });
});
