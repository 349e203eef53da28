import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../attachments/contentHash.js';
import { fingerprint } from './fingerprint.js';
import { parseStackTrace } from './parseStackTrace.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

// Changing this value regroups every stored incident; it must only change on purpose.
const GOLDEN_MESSAGE_FINGERPRINT = '0598ecdf85efd695';

function fingerprintOf(stack: string, type = 'TypeError', message = 'boom'): string {
  return fingerprint({ type, message, frames: parseStackTrace(stack) });
}

describe('fingerprint', () => {
  it('is a 16-character hex hash (contentHash) that does not change between versions', () => {
    const value = fingerprintOf(fixture('chrome-vite-dev.txt'));
    expect(value).toMatch(/^[0-9a-f]{16}$/);
    expect(value).toBe(fingerprintOf(fixture('chrome-vite-dev.txt')));
    expect(fingerprint({ type: 'TypeError', message: 'x' })).toBe(contentHash('message\nTypeError\nx'));
    expect(fingerprint({ type: 'TypeError', message: 'Order 42 failed' })).toBe(GOLDEN_MESSAGE_FINGERPRINT);
  });

  it('groups two deploys of the same bug: new chunk hashes, new columns (real vite builds)', () => {
    const deployA = fixture('chrome-production-deploy-a.txt');
    const deployB = fixture('chrome-production-deploy-b.txt');
    expect(deployA).not.toBe(deployB);
    expect(fingerprintOf(deployA)).toBe(fingerprintOf(deployB));
  });

  it('ignores line and column numbers and query strings (an edit above the bug, an HMR reload)', () => {
    const stack = fixture('chrome-vite-dev.txt');
    const moved = stack
      .replace(
        /:(\d+):(\d+)\)/g,
        (_match, line: string, column: string) => `:${Number(line) + 7}:${Number(column) + 2})`,
      )
      .replaceAll('?t=1718033218533', '?t=1718039999999')
      .replaceAll('?v=c5bbad4f', '?v=0d1e2f3a');
    expect(moved).not.toBe(stack);
    expect(fingerprintOf(moved)).toBe(fingerprintOf(stack));
  });

  it.each([
    [
      'webpack content hashes',
      'https://x.test/static/js/main.4a4119c3cdfd10266d84.js',
      'https://x.test/static/js/main.9c0b7e3a1f2d4c5b6a78.js',
    ],
    ['CRA chunk names', 'https://x.test/static/js/2.3a4b5c6d.chunk.js', 'https://x.test/static/js/2.9f8e7d6c.chunk.js'],
    [
      'Next.js chunks',
      'https://x.test/_next/static/chunks/pages/cart-3f2a9b1c2d3e4f5a.js',
      'https://x.test/_next/static/chunks/pages/cart-0c7baedefba6b077.js',
    ],
    ['Vite chunks', 'https://x.test/assets/index-CjXmhfA1.js', 'https://x.test/assets/index-B-x_z2aQ.js'],
    [
      'Vite deps in dev',
      'http://localhost:5173/node_modules/.vite/deps/chunk-ABCD1234.js?v=1',
      'http://localhost:5173/node_modules/.vite/deps/chunk-ZYXW9876.js?v=2',
    ],
    [
      'different hosts and paths',
      'https://staging.x.test/v2/assets/index-3f2a9b.js',
      'https://x.test/assets/index-77aa00.js',
    ],
  ])('normalises %s', (_name, fileA, fileB) => {
    const frame = (file: string) => [{ function: 'submitOrder', file, line: 1, column: 10, inApp: true, raw: '' }];
    expect(fingerprint({ type: 'Error', frames: frame(fileA) })).toBe(
      fingerprint({ type: 'Error', frames: frame(fileB) }),
    );
  });

  it('keeps words that only look like hashes apart', () => {
    const frame = (file: string) => [{ function: 'render', file, inApp: true, raw: '' }];
    const group = (file: string) => fingerprint({ type: 'Error', frames: frame(file) });
    expect(group('https://x.test/src/panel-renderer.js')).not.toBe(group('https://x.test/src/panel-selector.js'));
    expect(group('https://x.test/src/facade.js')).not.toBe(group('https://x.test/src/decade.js'));
    expect(group('https://x.test/src/App-Settings.tsx')).not.toBe(group('https://x.test/src/App-Profile.tsx'));
  });

  it('separates a different in-app function', () => {
    const stack = fixture('chrome-vite-dev.txt');
    expect(fingerprintOf(stack.replace('at cartReducer', 'at orderReducer'))).not.toBe(fingerprintOf(stack));
  });

  it('separates a different exception type', () => {
    const stack = fixture('node-async.txt');
    expect(fingerprintOf(stack, 'RangeError')).not.toBe(fingerprintOf(stack, 'TypeError'));
  });

  it('ignores frames outside the app and the message when there are in-app frames', () => {
    const stack = fixture('node-async.txt');
    const otherLibraryVersion = stack.replace('at Query.run', 'at Query.execute');
    expect(fingerprintOf(otherLibraryVersion, 'TypeError', 'Order 7 not found')).toBe(fingerprintOf(stack));
  });

  it('collapses recursion so the depth does not split a group', () => {
    const frame = (name: string) => ({ function: name, file: 'https://x.test/tree.js', inApp: true, raw: '' });
    const shallow = [frame('walk'), frame('render')];
    const deep = [frame('walk'), frame('walk'), frame('walk'), frame('render')];
    expect(fingerprint({ type: 'RangeError', frames: deep })).toBe(
      fingerprint({ type: 'RangeError', frames: shallow }),
    );
  });

  it('groups by normalised message when no frame is in-app', () => {
    const frames = parseStackTrace('    at Array.map (<anonymous>)\n    at run (node:internal/main:1:1)');
    const group = (message: string) => fingerprint({ type: 'Error', message, frames });
    expect(group('Order 42 failed: GET https://api.test/orders/42 returned 503')).toBe(
      group('Order 97 failed: GET https://api.test/orders/97?retry=1 returned 502'),
    );
    expect(group('Order 42 failed')).not.toBe(group('Payment 42 failed'));
    expect(fingerprint({ type: 'TypeError', message: 'x' })).not.toBe(
      fingerprint({ type: 'RangeError', message: 'x' }),
    );
  });

  it('lets a client-supplied fingerprint win', () => {
    const frames = parseStackTrace(fixture('chrome.txt'));
    const custom = fingerprint({ type: 'TypeError', message: 'a', frames, fingerprint: ['checkout', 'card-declined'] });
    const sameCustom = fingerprint({
      type: 'RangeError',
      message: 'b',
      frames: [],
      fingerprint: ['checkout', 'card-declined'],
    });
    expect(custom).toBe(sameCustom);
    expect(custom).not.toBe(fingerprint({ type: 'TypeError', message: 'a', frames }));
    expect(custom).not.toBe(fingerprint({ fingerprint: ['checkout'] }));
    expect(fingerprint({ type: 'TypeError', message: 'a', frames, fingerprint: [] })).toBe(
      fingerprint({ type: 'TypeError', message: 'a', frames }),
    );
  });
});
