import { parseStackTrace, type StackFrame } from '../incidents/parseStackTrace.js';
import type { SandboxExecutionError, SandboxLanguage } from './sandboxProvider.js';

/**
 * An error the fragment's code raised, ready to show or to attach as context for a fix:
 * the exception name, its message and the stack frames, innermost first.
 *
 * @example
 * ```ts
 * if (result.runtimeError) {
 *   const top = result.runtimeError.frames.find((frame) => frame.inApp);
 *   console.log(`${result.runtimeError.name}: ${result.runtimeError.message} at line ${top?.line}`);
 * }
 * ```
 */
export interface FragmentRuntimeError {
  name: string;
  message: string;
  frames: StackFrame[];
}

const maxScannedLength = 200_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
const ansiPattern = /\u001b\[[0-9;]*[A-Za-z]/g;
const pythonExceptionLine =
  /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration|Group))(?::\s?(.*))?$/;
const jsErrorLine = /^(?:Uncaught\s+)?([A-Z][\w$]*(?:Error|Exception)|Error)(?::\s?(.*))?$/;
const notInAppPython = /site-packages|dist-packages|^<frozen |^\/usr\/lib\/python|\/lib\/python\d/;

/**
 * Finds the error in a failed run's stderr: a Python traceback (also `SyntaxError` reports
 * without one) or a Node.js uncaught exception with its stack. Returns `undefined` when the
 * output holds no recognisable error. Only the last 200,000 characters are scanned.
 *
 * @example
 * ```ts
 * import { parseRuntimeError } from '@fragmentkit/core';
 *
 * parseRuntimeError(
 *   'Traceback (most recent call last):\n  File "/work/app.py", line 2, in <module>\n    1 / 0\nZeroDivisionError: division by zero',
 *   'python',
 * );
 * // { name: 'ZeroDivisionError', message: 'division by zero',
 * //   frames: [{ function: '<module>', file: '/work/app.py', line: 2, inApp: true, raw: 'File "/work/app.py", line 2, in <module>' }] }
 * ```
 */
export function parseRuntimeError(stderr: string, language: SandboxLanguage): FragmentRuntimeError | undefined {
  const text = stderr.slice(-maxScannedLength).replace(ansiPattern, '');
  return language === 'python' ? parsePythonError(text) : parseNodeError(text);
}

/**
 * Turns the error of an E2B code-interpreter cell (an IPython traceback) into a
 * {@link FragmentRuntimeError}.
 *
 * @example
 * ```ts
 * import { runtimeErrorFromExecution } from '@fragmentkit/core';
 *
 * const error = runtimeErrorFromExecution({ name: 'NameError', value: "name 'x' is not defined", traceback });
 * error.frames[0]; // { function: 'Cell In[1]', line: 1, inApp: true, raw: 'Cell In[1], line 1' }
 * ```
 */
export function runtimeErrorFromExecution(error: SandboxExecutionError): FragmentRuntimeError {
  const lines = error.traceback.slice(-maxScannedLength).replace(ansiPattern, '').split('\n');
  const frames: StackFrame[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    const cell = /^Cell (In\[\d+\]), line (\d+)/.exec(line);
    const file = /^File (.+?):(\d+)(?:, in (.+))?$/.exec(line);
    const classic = /^File "(.+?)", line (\d+)(?:, in (.+))?$/.exec(line);
    if (cell) frames.push({ function: `Cell ${cell[1]}`, line: Number(cell[2]), inApp: true, raw: line });
    else if (file ?? classic) frames.push(pythonFrame((file ?? classic) as RegExpExecArray, line));
  }
  return { name: error.name, message: error.value, frames: frames.reverse() };
}

function parsePythonError(text: string): FragmentRuntimeError | undefined {
  const lines = text.split('\n');
  // Chained exceptions print several tracebacks; the last one is the error that ended the run.
  let start = -1;
  for (let index = lines.length - 1; index >= 0; index--) {
    if ((lines[index] ?? '').startsWith('Traceback (most recent call last)')) {
      start = index;
      break;
    }
  }
  let exceptionIndex = -1;
  if (start !== -1) {
    for (let index = start + 1; index < lines.length; index++) {
      const line = lines[index] ?? '';
      if (line.trim() !== '' && !/^\s/.test(line)) {
        exceptionIndex = index;
        break;
      }
    }
  } else {
    // A SyntaxError is reported without a traceback: `File "x", line 1`, the line, a caret, the error.
    for (let index = lines.length - 1; index >= 0; index--) {
      if (pythonExceptionLine.test(lines[index] ?? '')) {
        exceptionIndex = index;
        break;
      }
    }
    start = 0;
  }
  if (exceptionIndex === -1) return undefined;
  const exceptionLine = lines[exceptionIndex] ?? '';
  const [, name = 'Error', message = ''] = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/.exec(exceptionLine) ?? [
    exceptionLine,
    'Error',
    exceptionLine,
  ];
  const frames: StackFrame[] = [];
  for (let index = start; index < exceptionIndex; index++) {
    const line = (lines[index] ?? '').trim();
    const match = /^File "(.+?)", line (\d+)(?:, in (.+))?$/.exec(line);
    if (match) frames.push(pythonFrame(match, line));
  }
  return { name, message: message.trim(), frames: frames.reverse() };
}

function pythonFrame(match: RegExpExecArray, raw: string): StackFrame {
  const [, file = '', line = '0', functionName] = match;
  const frame: StackFrame = { file, line: Number(line), inApp: !notInAppPython.test(file), raw };
  if (functionName) frame.function = functionName.replace(/\(.*\)$/, '');
  return frame;
}

function parseNodeError(text: string): FragmentRuntimeError | undefined {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => jsErrorLine.test(line.trim()) && !line.startsWith(' '));
  if (index === -1) return undefined;
  const [, name = 'Error', message = ''] = jsErrorLine.exec((lines[index] ?? '').trim()) ?? [];
  const stackLines: string[] = [];
  for (let cursor = index + 1; cursor < lines.length && /^\s+at /.test(lines[cursor] ?? ''); cursor++) {
    stackLines.push(lines[cursor] as string);
  }
  const frames = parseStackTrace(stackLines.join('\n'));
  // Node prints `file:line`, the source line and a caret a few lines above the error; a
  // SyntaxError has no frame of its own for that place.
  for (let cursor = index - 1; cursor >= Math.max(0, index - 6); cursor--) {
    const raw = (lines[cursor] ?? '').trim();
    const location = /^(\/.+?|[A-Za-z]:\\.+?):(\d+)$/.exec(raw);
    if (!location) continue;
    const file = location[1] as string;
    const line = Number(location[2]);
    if (!frames.some((frame) => frame.file === file && frame.line === line)) {
      frames.unshift({ file, line, inApp: !/node_modules|^node:/.test(file), raw });
    }
    break;
  }
  return { name, message: message.trim(), frames };
}
