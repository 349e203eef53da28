import { describe, expect, it } from 'vitest';
import { parseRuntimeError, runtimeErrorFromExecution } from './runtimeError.js';

describe('parseRuntimeError (python)', () => {
  it('reads a traceback, innermost frame first', () => {
    const stderr = [
      'Traceback (most recent call last):',
      '  File "/workspace/app.py", line 3, in <module>',
      '    f()',
      '  File "/workspace/app.py", line 2, in f',
      '    return 1/0',
      '           ~^~',
      'ZeroDivisionError: division by zero',
    ].join('\n');
    expect(parseRuntimeError(stderr, 'python')).toEqual({
      name: 'ZeroDivisionError',
      message: 'division by zero',
      frames: [
        {
          function: 'f',
          file: '/workspace/app.py',
          line: 2,
          inApp: true,
          raw: 'File "/workspace/app.py", line 2, in f',
        },
        {
          function: '<module>',
          file: '/workspace/app.py',
          line: 3,
          inApp: true,
          raw: 'File "/workspace/app.py", line 3, in <module>',
        },
      ],
    });
  });

  it('takes the last of chained exceptions and custom exception names', () => {
    const stderr = [
      'Traceback (most recent call last):',
      '  File "/workspace/c.py", line 2, in <module>',
      "KeyError: 'a'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3.11/site-packages/lib.py", line 9, in helper',
      '  File "/workspace/c.py", line 4, in <module>',
      'Boom: bad input',
    ].join('\n');
    const error = parseRuntimeError(stderr, 'python');
    expect(error).toMatchObject({ name: 'Boom', message: 'bad input' });
    expect(error?.frames.map((frame) => [frame.line, frame.inApp])).toEqual([
      [4, true],
      [9, false],
    ]);
  });

  it('reads a SyntaxError, which has no traceback', () => {
    const stderr = '  File "/workspace/s.py", line 1\n    print(\n         ^\nSyntaxError: \'(\' was never closed';
    expect(parseRuntimeError(stderr, 'python')).toMatchObject({
      name: 'SyntaxError',
      message: "'(' was never closed",
      frames: [{ file: '/workspace/s.py', line: 1 }],
    });
  });

  it('returns undefined for output without an error', () => {
    expect(parseRuntimeError('all good\n', 'python')).toBeUndefined();
  });
});

describe('parseRuntimeError (javascript)', () => {
  it('reads an uncaught Node.js error with its stack', () => {
    const stderr = [
      '/workspace/e.js:1',
      'function f(){ return x.y }',
      '              ^',
      '',
      'ReferenceError: x is not defined',
      '    at f (/workspace/e.js:1:15)',
      '    at Object.<anonymous> (/workspace/e.js:2:1)',
      '    at Module._compile (node:internal/modules/cjs/loader:1521:14)',
      '',
      'Node.js v20.20.2',
    ].join('\n');
    const error = parseRuntimeError(stderr, 'javascript');
    expect(error).toMatchObject({ name: 'ReferenceError', message: 'x is not defined' });
    expect(error?.frames.map((frame) => [frame.function, frame.line, frame.column, frame.inApp])).toEqual([
      ['f', 1, 15, true],
      ['Object.<anonymous>', 2, 1, true],
      ['Module._compile', 1521, 14, false],
    ]);
  });

  it('adds the reported location of a SyntaxError as the top frame', () => {
    const stderr = [
      '/workspace/s.js:1',
      'let x = ;',
      '        ^',
      '',
      "SyntaxError: Unexpected token ';'",
      '    at wrapSafe (node:internal/modules/cjs/loader:1464:18)',
    ].join('\n');
    const error = parseRuntimeError(stderr, 'javascript');
    expect(error?.name).toBe('SyntaxError');
    expect(error?.frames[0]).toEqual({ file: '/workspace/s.js', line: 1, inApp: true, raw: '/workspace/s.js:1' });
  });
});

describe('runtimeErrorFromExecution', () => {
  it('reads an IPython traceback with ANSI colours', () => {
    const traceback = [
      '\u001b[0;31m---------------------------------------------------------------------------\u001b[0m',
      '\u001b[0;31mNameError\u001b[0m                                 Traceback (most recent call last)',
      'Cell \u001b[0;32mIn[1], line 3\u001b[0m',
      '\u001b[0;32m----> 3\u001b[0m \u001b[43mundefined_name\u001b[49m',
      'File \u001b[0;32m/usr/local/lib/python3.10/site-packages/pandas/core/frame.py:120\u001b[0m, in \u001b[0;36mDataFrame.__init__\u001b[0;34m(self, data)\u001b[0m',
      "\u001b[0;31mNameError\u001b[0m: name 'undefined_name' is not defined",
    ].join('\n');
    const error = runtimeErrorFromExecution({
      name: 'NameError',
      value: "name 'undefined_name' is not defined",
      traceback,
    });
    expect(error.name).toBe('NameError');
    expect(error.frames).toEqual([
      {
        file: '/usr/local/lib/python3.10/site-packages/pandas/core/frame.py',
        line: 120,
        function: 'DataFrame.__init__',
        inApp: false,
        raw: 'File /usr/local/lib/python3.10/site-packages/pandas/core/frame.py:120, in DataFrame.__init__(self, data)',
      },
      { function: 'Cell In[1]', line: 3, inApp: true, raw: 'Cell In[1], line 3' },
    ]);
  });
});
