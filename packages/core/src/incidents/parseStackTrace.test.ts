import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStackTrace, type StackFrame } from './parseStackTrace.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

type Row = [
  fn: string | undefined,
  file: string | undefined,
  line: number | undefined,
  column: number | undefined,
  inApp: boolean,
];

/** The asserted fields of every frame, in order; flags are checked separately. */
function rows(frames: StackFrame[]): Row[] {
  return frames.map((frame) => [frame.function, frame.file, frame.line, frame.column, frame.inApp]);
}

function flagged(frames: StackFrame[], flag: 'async' | 'eval' | 'native'): number[] {
  return frames.flatMap((frame, index) => (frame[flag] ? [index] : []));
}

describe('parseStackTrace: V8 (Chromium 156, captured from real pages)', () => {
  it('parses a click handler stack: anonymous, built-in, constructor, [as method], DOM receiver', () => {
    const app = 'http://localhost:8080/static/js/app.js';
    const frames = parseStackTrace(fixture('chrome.txt'));
    expect(rows(frames)).toEqual([
      [undefined, app, 4, 49, true],
      ['Array.map', undefined, undefined, undefined, false],
      ['new Cart', app, 4, 24, true],
      ['Object.submit [as send]', app, 9, 12, true],
      ['HTMLButtonElement.<anonymous>', app, 19, 17, true],
      ['capture', app, 36, 34, true],
    ]);
    expect(frames[3]?.raw).toBe(`at Object.submit [as send] (${app}:9:12)`);
    expect(flagged(frames, 'async')).toEqual([]);
  });

  it('marks `at async` frames', () => {
    const frames = parseStackTrace(fixture('chrome-async.txt'));
    expect(rows(frames)).toEqual([
      ['fetchProfile', 'http://localhost:8080/static/js/app.js', 28, 23, true],
      ['renderHeader', 'http://localhost:8080/static/js/app.js', 31, 16, true],
      ['capture', 'http://localhost:8080/static/js/app.js', 38, 5, true],
    ]);
    expect(flagged(frames, 'async')).toEqual([1, 2]);
  });

  it('points an eval frame at the script that called eval', () => {
    const frames = parseStackTrace(fixture('chrome-eval.txt'));
    expect(rows(frames)).toEqual([
      ['eval', 'http://localhost:8080/static/js/app.js', 14, 10, true],
      ['runFormula', 'http://localhost:8080/static/js/app.js', 14, 10, true],
      ['capture', 'http://localhost:8080/static/js/app.js', 43, 5, true],
    ]);
    expect(flagged(frames, 'eval')).toEqual([0]);
  });

  it('keeps blob: URLs whole', () => {
    expect(rows(parseStackTrace(fixture('chrome-blob.txt')))).toEqual([
      ['parseCsv', 'blob:http://localhost:8080/d9d062a0-dc41-47cf-82d9-74152dfae8fe', 2, 15, true],
      ['capture', 'http://localhost:8080/static/js/app.js', 54, 5, true],
    ]);
  });

  it('parses a webpack dev build (eval modules with webpack-internal:/// and webpack:/// URLs)', () => {
    const chunk = 'http://localhost:3000/_next/static/chunks';
    const reactDom =
      'webpack-internal:///(app-pages-browser)/./node_modules/next/dist/compiled/react-dom/cjs/react-dom.development.js';
    expect(rows(parseStackTrace(fixture('chrome-webpack-dev.txt')))).toEqual([
      ['formatPrice', 'webpack:///./src/lib/price.js?', 3, 19, true],
      ['ProductCard', 'webpack-internal:///(app-pages-browser)/./src/app/page.tsx', 4, 74, true],
      ['renderWithHooks', reactDom, 3, 18, false],
      ['Object.beginWork', reactDom, 7, 10, false],
      ['eval', 'webpack-internal:///(app-pages-browser)/./src/app/entry.js', 5, 13, true],
      // A function name with parentheses and slashes: the module id webpack names the factory after.
      ['(app-pages-browser)/./src/app/entry.js', `${chunk}/main-app.js?v=1718033218533`, 19, 1, true],
      ['__webpack_require__', `${chunk}/webpack.js?v=1718033218533`, 19, 33, false],
      ['Array.<anonymous>', `${chunk}/main-app.js?v=1718033218533`, 21, 31, true],
      ['Object.push', `${chunk}/webpack.js?v=1718033218533`, 28, 105, true],
      [undefined, `${chunk}/main-app.js?v=1718033218533`, 1, 23, true],
    ]);
  });

  it('parses a Vite dev build: /@fs/ paths, ?t= HMR queries, pre-bundled deps', () => {
    const frames = parseStackTrace(fixture('chrome-vite-dev.txt'));
    expect(rows(frames)).toEqual([
      ['formatMoney', 'http://localhost:5173/@fs/tmp/fk-traces/vite-app/shared/currency.ts', 2, 22, true],
      ['cartReducer', 'http://localhost:5173/src/App.tsx?t=1718033218533', 5, 36, true],
      [
        'Object.dispatch',
        'http://localhost:5173/@fs/tmp/fk-traces/vite-app/node_modules/.vite/deps/tiny-store.js?v=c5bbad4f',
        5,
        15,
        false,
      ],
      ['mountApp', 'http://localhost:5173/src/App.tsx?t=1718033218533', 9, 35, true],
      [undefined, 'http://localhost:5173/src/main.ts', 6, 3, true],
    ]);
  });

  it('parses a minified production bundle (vite build)', () => {
    expect(rows(parseStackTrace(fixture('chrome-production-deploy-a.txt')))).toEqual([
      ['n', 'http://localhost:4173/assets/checkout-zYrFGi6L.js', 1, 125, true],
      ['Object.dispatch', 'http://localhost:4173/assets/checkout-zYrFGi6L.js', 1, 45, true],
      ['u', 'http://localhost:4173/assets/checkout-zYrFGi6L.js', 1, 176, true],
      ['HTMLButtonElement.<anonymous>', 'http://localhost:4173/assets/index-CjXmhfA1.js', 1, 2015, true],
    ]);
  });
});

describe('parseStackTrace: V8 (Node 20, captured)', () => {
  it('parses async frames, Promise.all and node_modules', () => {
    const frames = parseStackTrace(fixture('node-async.txt'));
    expect(rows(frames)).toEqual([
      [undefined, 'file:///tmp/fk-traces/node-app/src/orders.mjs', 5, 26, true],
      ['Query.run', '/tmp/fk-traces/node-app/node_modules/tiny-orm/index.js', 6, 12, false],
      ['Promise.all', undefined, undefined, undefined, false],
      ['checkout', 'file:///tmp/fk-traces/node-app/src/orders.mjs', 11, 18, true],
      ['handleRequest', 'file:///tmp/fk-traces/node-app/src/server.mjs', 4, 10, true],
      [undefined, 'file:///tmp/fk-traces/node-app/src/server.mjs', 8, 3, true],
    ]);
    expect(flagged(frames, 'async')).toEqual([2, 3, 4, 5]);
  });

  it('parses eval, new, Object.<anonymous> and node:internal frames', () => {
    const worker = '/tmp/fk-traces/node-app/src/worker.cjs';
    const frames = parseStackTrace(fixture('node-eval.txt'));
    expect(rows(frames)).toEqual([
      ['eval', worker, 7, 18, true],
      ['Array.reduce', undefined, undefined, undefined, false],
      ['eval', worker, 7, 18, true],
      ['new ReportBuilder', worker, 7, 18, true],
      ['Object.build', worker, 13, 12, true],
      ['printReport', worker, 20, 15, true],
      ['Object.<anonymous>', worker, 26, 1, true],
      ['Module._compile', 'node:internal/modules/cjs/loader', 1521, 14, false],
      ['Module._extensions..js', 'node:internal/modules/cjs/loader', 1623, 10, false],
      ['Module.load', 'node:internal/modules/cjs/loader', 1266, 32, false],
    ]);
    expect(flagged(frames, 'eval')).toEqual([0, 2]);
  });

  it('parses a callback from node:fs with [as oncomplete]', () => {
    const frames = parseStackTrace(fixture('node-callback.txt'));
    expect(rows(frames).slice(-2)).toEqual([
      [undefined, '/tmp/fk-traces/node-app/src/worker.cjs', 28, 3, true],
      ['FSReqCallback.readFileAfterClose [as oncomplete]', 'node:internal/fs/read/context', 68, 3, false],
    ]);
  });

  it('treats node: built-ins as not in-app', () => {
    const events = 'file:///tmp/fk-traces/node-app/src/events.mjs';
    expect(rows(parseStackTrace(fixture('node-events.txt')))).toEqual([
      [undefined, events, 5, 42, true],
      ['Array.forEach', undefined, undefined, undefined, false],
      ['EventEmitter.notifyWarehouse', events, 5, 15, true],
      ['EventEmitter.emit', 'node:events', 524, 28, false],
      ['Timeout._onTimeout', events, 9, 9, true],
      ['listOnTimeout', 'node:internal/timers', 581, 17, false],
      ['process.processTimers', 'node:internal/timers', 519, 7, false],
    ]);
  });

  it('skips a 4000-character frame line (a data: URL module) and keeps the rest', () => {
    const stack = fixture('node-long-line.txt');
    expect(stack.split('\n')[1]?.length).toBeGreaterThan(4000);
    expect(rows(parseStackTrace(stack))).toEqual([
      ['loadPlugins', 'file:///tmp/fk-traces/node-app/src/plugins.mjs', 4, 17, true],
      [undefined, 'file:///tmp/fk-traces/node-app/src/plugins.mjs', 7, 3, true],
    ]);
    expect(parseStackTrace(stack, { maxLineLength: 5000 })[0]).toMatchObject({ function: 'Module.runPlugin', line: 3 });
  });
});

describe('parseStackTrace: SpiderMonkey (Firefox, real-world traces)', () => {
  it('parses a Vite dev app (Vue): async*, promise callback*, setTimeout handler*, getters', () => {
    const runtime = 'http://localhost:8080/node_modules/.vite/deps/runtime-dom.esm-bundler-CtfAi8Ci.js?v=da719756';
    const pinia = 'http://localhost:8080/node_modules/.vite/deps/pinia.js?v=44ac4499';
    const router = 'http://localhost:8080/node_modules/.vite/deps/vue-router.js?v=78c52a94';
    const src = 'http://localhost:8080/src';
    const frames = parseStackTrace(fixture('firefox-vite-dev.txt'));
    expect(rows(frames)).toEqual([
      ['useRouterStore</<', `${src}/pinia/modules/router.js`, 145, 5, true],
      ['callWithErrorHandling', runtime, 2085, 17, false],
      ['callWithAsyncErrorHandling', runtime, 2092, 36, false],
      ['doWatch/baseWatchOptions.call', runtime, 2538, 72, false],
      ['getter', runtime, 1209, 18, false],
      ['run', runtime, 1476, 17, false],
      ['job', runtime, 1256, 17, false],
      ['callWithErrorHandling', runtime, 2085, 31, false],
      ['flushJobs', runtime, 2225, 26, false],
      ['queueFlush', runtime, 2168, 66, false],
      ['queueJob', runtime, 2164, 3, false],
      ['doWatch/baseWatchOptions.scheduler', runtime, 2547, 17, false],
      ['watch$1/effect.scheduler<', runtime, 1260, 48, false],
      ['trigger', runtime, 1496, 34, false],
      ['endBatch', runtime, 543, 7, false],
      ['notify', runtime, 1587, 5, false],
      ['trigger', runtime, 1579, 9, false],
      ['set value', runtime, 1817, 14, false],
      ['SetAsyncRouter', `${src}/pinia/modules/router.js`, 191, 5, true],
      ['wrappedAction', pinia, 1029, 14, false],
      ['patchActionForGrouping/store[actionName]', pinia, 716, 40, false],
      ['setupRouter', `${src}/permission.js`, 120, 36, true],
      [undefined, `${src}/permission.js`, 176, 15, true],
      ['guardToPromiseFn/</</guardReturn<', router, 700, 50, false],
      ['runWithContext', router, 682, 83, false],
      ['guardToPromiseFn/</<', router, 700, 37, false],
      ['guardToPromiseFn/<', router, 684, 15, false],
      ['runWithContext', runtime, 4094, 13, false],
      ['runWithContext', router, 2455, 64, false],
      ['createRouter/runGuardQueue/</<', router, 2657, 77, false],
      ['createRouter/runGuardQueue/<', router, 2657, 52, false],
      ['runGuardQueue', router, 2657, 17, false],
      ['createRouter/navigate/<', router, 2470, 11, false],
      ['navigate', router, 2466, 32, false],
      ['pushWithRedirect', router, 2427, 48, false],
      ['push', router, 2380, 10, false],
      ['install', router, 2627, 9, false],
      ['use', runtime, 4020, 13, false],
      [undefined, `${src}/main.js`, 35, 4, true],
      [undefined, 'http://localhost:8080/__uno.css', 19, 42, true],
      [undefined, 'http://localhost:8080/__uno.css', 19, 9, true],
    ]);
    expect(flagged(frames, 'async')).toEqual([9, 19, 23, 30, 33, 39]);
  });

  it('parses a webpack dev build (Gatsby): webpack-internal:///, module-id names, webpack runtime', () => {
    const reactDom = 'webpack-internal:///./node_modules/react-dom/cjs/react-dom.development.js';
    const frames = parseStackTrace(fixture('firefox-webpack-dev.txt'));
    expect(frames).toHaveLength(32);
    expect(rows(frames.slice(0, 1))).toEqual([['handleControlledInputBlur', reactDom, 7950, 1, false]]);
    expect(rows(frames.slice(18))).toEqual([
      ['exports.createRoot', 'webpack-internal:///./node_modules/react-dom/client.js', 9, 16, false],
      ['reactFirstRenderOrHydrate', 'webpack-internal:///./.cache/app.js', 106, 33, true],
      ['runRender', 'webpack-internal:///./.cache/app.js', 207, 15, true],
      [undefined, 'webpack-internal:///./.cache/app.js', 215, 9, true],
      [undefined, 'webpack-internal:///./.cache/app.js', 214, 17, true],
      [undefined, 'webpack-internal:///./.cache/app.js', 177, 150, true],
      [undefined, 'webpack-internal:///./.cache/app.js', 124, 86, true],
      ['./.cache/app.js', 'http://localhost:8000/commons.js', 71, 1, true],
      ['options.factory', 'http://localhost:8000/commons.js', 4326, 30, true],
      ['__webpack_require__', 'http://localhost:8000/commons.js', 3645, 33, false],
      ['__webpack_exports__<', 'http://localhost:8000/commons.js', 5005, 105, false],
      ['__webpack_require__.O', 'http://localhost:8000/commons.js', 3694, 23, false],
      [undefined, 'http://localhost:8000/commons.js', 5006, 53, true],
      [undefined, 'http://localhost:8000/commons.js', 5008, 12, true],
    ]);
    // `EventListener.handleEvent*fn`, `setTimeout handler*`, `promise callback*`.
    expect(flagged(frames, 'async')).toEqual([11, 22, 23, 24]);
    expect(frames[11]?.function).toBe('addEventBubbleListener');
  });

  it('parses eval frames (`file.js line 26 > eval`) to the line that called eval', () => {
    const frames = parseStackTrace(fixture('firefox-eval.txt'));
    expect(rows(frames)).toEqual([
      ['baz', 'http://localhost:8080/file.js', 26, undefined, true],
      ['foo', 'http://localhost:8080/file.js', 26, undefined, true],
      [undefined, 'http://localhost:8080/file.js', 26, undefined, true],
      ['speak', 'http://localhost:8080/file.js', 26, 17, true],
      [undefined, 'http://localhost:8080/file.js', 33, 9, true],
    ]);
    expect(flagged(frames, 'eval')).toEqual([0, 1, 2]);
  });
});

describe('parseStackTrace: JavaScriptCore (Safari, real-world traces)', () => {
  it('parses anonymous bare locations, [native code] and eval', () => {
    const frames = parseStackTrace(fixture('safari.txt'));
    const page = 'http://localhost:5000/';
    expect(rows(frames)).toEqual([
      ['aha', page, 19, 22, true],
      ['aha', undefined, undefined, undefined, false],
      ['callAnotherThing', page, 20, 16, true],
      ['callback', page, 25, 23, true],
      [undefined, page, 34, 25, true],
      ['map', undefined, undefined, undefined, false],
      ['test', page, 33, 26, true],
      // The bare `eval code` line carries no location and is skipped.
      ['eval', undefined, undefined, undefined, false],
      ['aha', page, 39, 9, true],
      ['testMethod', page, 44, 10, true],
      [undefined, page, 50, 29, true],
    ]);
    expect(flagged(frames, 'native')).toEqual([1, 5, 7]);
    expect(flagged(frames, 'eval')).toEqual([7]);
  });

  it('parses global code and module code', () => {
    expect(rows(parseStackTrace(fixture('safari-global-code.txt')))).toEqual([
      ['fooIterator', 'http://localhost:5000/test', 20, 26, true],
      ['map', undefined, undefined, undefined, false],
      ['foo', 'http://localhost:5000/test', 19, 22, true],
      ['global code', 'http://localhost:5000/test', 24, 10, true],
    ]);
    const frames = parseStackTrace(fixture('safari-module.txt'));
    expect(rows(frames)).toEqual([
      ['module code', 'http://localhost:8000/my-test.js', 1, 16, true],
      ['evaluate', undefined, undefined, undefined, false],
      ['moduleEvaluation', undefined, undefined, undefined, false],
      ['moduleEvaluation', undefined, undefined, undefined, false],
      [undefined, undefined, undefined, undefined, false],
      ['promiseReactionJobWithoutPromise', undefined, undefined, undefined, false],
      ['promiseReactionJob', undefined, undefined, undefined, false],
    ]);
  });
});

describe('parseStackTrace: single lines', () => {
  it.each([
    ['    at native', { native: true, inApp: false }],
    [
      '    at Object.<anonymous> (C:\\Program Files\\app\\index.js:3:7)',
      { function: 'Object.<anonymous>', file: 'C:\\Program Files\\app\\index.js', line: 3, column: 7, inApp: true },
    ],
    ['    at async <anonymous>:381:23', { async: true, inApp: false }],
    [
      '    at eval (eval at outer (eval at inner (https://x.test/a.js:1:2), <anonymous>:3:4), <anonymous>:5:6)',
      { function: 'eval', eval: true, file: 'https://x.test/a.js', line: 1, column: 2, inApp: true },
    ],
    [
      '    at init (chrome-extension://abcdefghijklmnop/content.js:2:48213)',
      {
        function: 'init',
        file: 'chrome-extension://abcdefghijklmnop/content.js',
        line: 2,
        column: 48213,
        inApp: false,
      },
    ],
    [
      '    at handleMessage (http://localhost:5173/@vite/client:884:13)',
      { function: 'handleMessage', file: 'http://localhost:5173/@vite/client', line: 884, column: 13, inApp: false },
    ],
    [
      '    at __webpack_require__ (webpack:///webpack/bootstrap:19:32)',
      { function: '__webpack_require__', file: 'webpack:///webpack/bootstrap', line: 19, column: 32, inApp: false },
    ],
    [
      '    at Module._load (internal/modules/cjs/loader.js:725:14)',
      { function: 'Module._load', file: 'internal/modules/cjs/loader.js', line: 725, column: 14, inApp: false },
    ],
    [
      'async outer@http://localhost:4395/_astro/raw.Zz9.js:2:36',
      {
        async: true,
        function: 'outer',
        file: 'http://localhost:4395/_astro/raw.Zz9.js',
        line: 2,
        column: 36,
        inApp: true,
      },
    ],
    ['eval code@', { function: 'eval code', eval: true, inApp: false }],
    [
      'init@moz-extension://4f3c2b1a/background.js:2:12345',
      { function: 'init', file: 'moz-extension://4f3c2b1a/background.js', line: 2, column: 12345, inApp: false },
    ],
    [
      '@http://localhost:3000/(group)/[route]/script.js:1:131',
      { file: 'http://localhost:3000/(group)/[route]/script.js', line: 1, column: 131, inApp: true },
    ],
  ] as const)('%s', (line, expected) => {
    const [frame] = parseStackTrace(line);
    expect(frame).toEqual({ ...expected, raw: line.trim() });
  });

  it('skips what is not a frame', () => {
    const stack = [
      'Error: could not reach localhost:8080 for ana@example.com',
      '    at least one item is required',
      '    at div',
      '@',
      '',
      'eval code',
    ].join('\n');
    expect(parseStackTrace(stack)).toEqual([]);
    expect(parseStackTrace(undefined as unknown as string)).toEqual([]);
  });

  it('never reads message lines of a V8 stack as Firefox frames', () => {
    const stack = 'Error: login failed for admin@db.internal:5432\n    at connect (file:///srv/db.js:4:11)';
    expect(parseStackTrace(stack).map((frame) => frame.function)).toEqual(['connect']);
  });

  it('stops at maxFrames', () => {
    const stack = Array.from(
      { length: 80 },
      (_, index) => `    at f${index} (https://x.test/a.js:${index + 1}:1)`,
    ).join('\n');
    expect(parseStackTrace(stack)).toHaveLength(50);
    expect(parseStackTrace(stack, { maxFrames: 3 }).map((frame) => frame.line)).toEqual([1, 2, 3]);
  });

  it('handles a hostile megabyte-long line without scanning it', () => {
    const hostile = `    at ${'('.repeat(1_000_000)}`;
    const frames = parseStackTrace(`${hostile}\n    at ok (https://x.test/a.js:1:1)`);
    expect(frames.map((frame) => frame.function)).toEqual(['ok']);
  });
});
