/**
 * One frame of a parsed stack trace. Optional fields are left out, not set to `undefined`,
 * so a frame serialises to exactly what the engine told us.
 */
export interface StackFrame {
  /** The function name as the engine printed it: `Object.submit [as send]`, `new Cart`, `test/<`, `global code`. */
  function?: string;
  /** The script URL or path, query string included (`/src/App.tsx?t=1718033218533`). */
  file?: string;
  line?: number;
  column?: number;
  /** Built-in code with no script behind it (`native`, `[native code]`). */
  native?: boolean;
  /** Code run by `eval`/`new Function`; `file` and `line` then point at the call that evaluated it. */
  eval?: boolean;
  /** The frame was reached across an async boundary (`at async fn`, Firefox `async*fn`, `promise callback*fn`). */
  async?: boolean;
  /** Whether the frame is the application's own code rather than a dependency, the runtime or the browser. */
  inApp: boolean;
  /** The trimmed source line, for display. */
  raw: string;
}

/** Options for {@link parseStackTrace}. */
export interface ParseStackTraceOptions {
  /** Frames kept, from the top of the stack. Default 50. */
  maxFrames?: number;
  /** Longer lines are skipped without being scanned, so a hostile stack cannot make parsing slow. Default 1000. */
  maxLineLength?: number;
}

type Location = Pick<StackFrame, 'file' | 'line' | 'column'>;

const notInAppFile =
  /(^|[\\/])node_modules[\\/]|^node:|^internal[\\/]|^[a-z-]*extension:|\/@vite\/|webpack\/(bootstrap|runtime)/;

/**
 * Parses `error.stack` from V8 (Chrome, Edge, Node), SpiderMonkey (Firefox) and JavaScriptCore
 * (Safari) into frames, top of the stack first. Lines that are not frames (the message, blank
 * lines, anything unrecognised) are skipped; it never throws.
 *
 * @example
 * ```ts
 * import { parseStackTrace } from '@fragmentkit/core';
 *
 * parseStackTrace('TypeError: x is undefined\n    at render (https://app.test/src/App.tsx:12:9)');
 * // [{ function: 'render', file: 'https://app.test/src/App.tsx', line: 12, column: 9, inApp: true,
 * //    raw: 'at render (https://app.test/src/App.tsx:12:9)' }]
 * ```
 */
export function parseStackTrace(stack: string, options: ParseStackTraceOptions = {}): StackFrame[] {
  const frames: StackFrame[] = [];
  if (typeof stack !== 'string') return frames;
  const maxFrames = options.maxFrames ?? 50;
  const maxLineLength = options.maxLineLength ?? 1000;
  // Decided once per stack: in a V8 stack only `at` lines are frames, so a message line that
  // happens to contain `name@host:80` is never mistaken for a Firefox frame.
  const isV8 = /^\s*at /m.test(stack);
  let start = 0;
  while (start <= stack.length && frames.length < maxFrames) {
    const newline = stack.indexOf('\n', start);
    const end = newline === -1 ? stack.length : newline;
    if (end - start <= maxLineLength) {
      const raw = stack.slice(start, end).trim();
      const frame = isV8 ? raw.startsWith('at ') && parseV8Line(raw.slice(3)) : parseGeckoLine(raw);
      if (frame) {
        frame.inApp = isInApp(frame);
        frame.raw = raw;
        frames.push(frame);
      }
    }
    start = end + 1;
  }
  return frames;
}

function parseV8Line(body: string): StackFrame | undefined {
  const frame = {} as StackFrame;
  if (body.startsWith('async ')) {
    frame.async = true;
    body = body.slice(6);
  }
  let location = body;
  if (body.endsWith(')')) {
    // Function names and paths both may hold parentheses (`(app-pages-browser)/./page.tsx`,
    // `eval at f (...)`), so the location is the group that balances the final `)`.
    const open = openingParenthesis(body);
    if (open > 0) {
      const name = body.slice(0, open).trim();
      if (name) frame.function = name;
      location = body.slice(open + 1, -1);
    }
  }
  if (location === 'native') {
    frame.native = true;
    return frame;
  }
  if (location.startsWith('eval at ')) {
    frame.eval = true;
    // `eval at outer (eval at inner (file:1:2), <anonymous>:3:4), <anonymous>:5:6`: the
    // innermost group is the real script that called eval.
    while (location.startsWith('eval at ')) {
      const head = location.slice(0, Math.max(0, location.lastIndexOf(', ')));
      const open = head.endsWith(')') ? openingParenthesis(head) : -1;
      location = open === -1 ? '' : head.slice(open + 1, -1);
    }
  }
  // `<anonymous>` is a script with no URL: a position in it tells nobody anything.
  const anonymous = location.startsWith('<anonymous>');
  const parsed = anonymous ? {} : parseLocation(location);
  // Without a function name the line must be a location (`at https://x/a.js:1:2`); this
  // rejects `at`-lines that are prose or React component stacks (`at div`).
  if (parsed.line === undefined && location === body && !anonymous) return undefined;
  return Object.assign(frame, parsed);
}

function parseGeckoLine(raw: string): StackFrame | undefined {
  const frame = {} as StackFrame;
  const at = raw.indexOf('@');
  // No `@`, or an `@` inside a URL (`/@fs/`, `user@host`): JavaScriptCore prints anonymous frames as a bare location.
  const bare = at === -1 || raw.slice(0, at).includes('://');
  let name = bare ? '' : raw.slice(0, at);
  const location = bare ? raw : raw.slice(at + 1);
  const asyncCause = name.lastIndexOf('*');
  if (asyncCause !== -1 || name.startsWith('async ')) {
    frame.async = true;
    name = asyncCause === -1 ? name.slice(6) : name.slice(asyncCause + 1);
  }
  if (name) frame.function = name;
  if (name === 'eval code' || name === 'eval') frame.eval = true;
  if (location === '[native code]') {
    frame.native = true;
    return frame;
  }
  if (bare && !location.includes('://')) return undefined;
  const evalMarker = location.indexOf(' line ');
  if (evalMarker > 0 && location.includes(' > ')) {
    // Firefox names eval'd code after its caller: `file.js line 26 > eval:1:30`.
    frame.eval = true;
    frame.file = location.slice(0, evalMarker);
    frame.line = Number.parseInt(location.slice(evalMarker + 6), 10);
    return frame;
  }
  if (location === '') return name ? frame : undefined;
  const parsed = parseLocation(location);
  if (parsed.line === undefined || /\s/.test(location)) return undefined;
  return Object.assign(frame, parsed);
}

/**
 * Splits `file:line:column` (or `file:line`) from the right, so colons inside URLs stay in the
 * file. Without a line number it is not a location and nothing is returned.
 */
function parseLocation(location: string): Location {
  const result: Location = {};
  let file = location;
  const numbers: number[] = [];
  for (let index = 0; index < 2; index++) {
    const colon = file.lastIndexOf(':');
    const digits = file.slice(colon + 1);
    if (colon === -1 || !/^\d+$/.test(digits)) break;
    numbers.unshift(Number(digits));
    file = file.slice(0, colon);
  }
  if (numbers.length === 0) return result;
  if (file) result.file = file;
  result.line = numbers[0];
  if (numbers.length > 1) result.column = numbers[1];
  return result;
}

function openingParenthesis(text: string): number {
  let depth = 0;
  for (let index = text.length - 1; index >= 0; index--) {
    if (text[index] === ')') depth++;
    else if (text[index] === '(' && --depth === 0) return index;
  }
  return -1;
}

function isInApp(frame: StackFrame): boolean {
  if (!frame.file || frame.native || frame.function?.startsWith('__webpack_')) return false;
  return !notInAppFile.test(frame.file);
}
