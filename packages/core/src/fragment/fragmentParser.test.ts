import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { createFragmentParser } from './fragmentParser.js';
import { parsePartialJson } from './partialJson.js';
import type { Fragment, PartialFragment } from './schema.js';

const fragment: Fragment = {
  commentary: 'I will build a counter with a "+" button, a reset button and a label that says é/中/😀.',
  template: 'react-preview',
  title: 'Counter',
  description: 'A counter with increment and reset.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: null,
  file_path: 'App.tsx',
  code: [
    "import { useState } from 'react';",
    '',
    'export default function App() {',
    '  const [count, setCount] = useState(0);',
    '  return (',
    '    <div style={{ fontFamily: "sans-serif" }}>',
    '      <p>Count: {count}</p>',
    '      <button onClick={() => setCount((c) => c + 1)}>+</button>',
    '      <button onClick={() => setCount(0)}>Reset</button>',
    '    </div>',
    '  );',
    '}',
    '',
  ].join('\n'),
  files: [{ file_path: 'styles.css', code: 'body { margin: 0; }\n' }],
};
const answer = JSON.stringify(fragment, null, 2);

/** Splits `text` into chunks of 1..maxSize characters, the same way for the same seed. */
function chunk(text: string, maxSize: number, seed: number): string[] {
  let state = seed;
  const chunks: string[] = [];
  for (let index = 0; index < text.length; ) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const size = 1 + (state % maxSize);
    chunks.push(text.slice(index, index + size));
    index += size;
  }
  return chunks;
}

function stream(chunks: string[]) {
  const parser = createFragmentParser();
  const partials: PartialFragment[] = [];
  for (const delta of chunks) {
    const partial = parser.push(delta);
    if (partial) partials.push(partial);
  }
  return { parser, partials };
}

function expectInvalidFragment(run: () => unknown): FragmentkitError {
  try {
    run();
  } catch (error) {
    expect(FragmentkitError.isInstance(error)).toBe(true);
    expect((error as FragmentkitError).code).toBe('INVALID_FRAGMENT');
    return error as FragmentkitError;
  }
  throw new Error('expected an INVALID_FRAGMENT error');
}

describe('createFragmentParser', () => {
  it.each([
    ['one character at a time', answer.split('')],
    ['random chunks up to 7 characters', chunk(answer, 7, 1)],
    ['random chunks up to 40 characters', chunk(answer, 40, 2)],
    ['one chunk', [answer]],
  ])('streams partial fragments and finishes with the fragment (%s)', (_, chunks) => {
    expect(chunks.join('')).toBe(answer);
    const { parser, partials } = stream(chunks);

    expect(partials.length).toBeGreaterThan(0);
    for (let index = 1; index < partials.length; index++) {
      expect(partials[index]).not.toEqual(partials[index - 1]);
    }
    let previousCode = '';
    for (const partial of partials) {
      expect(typeof partial).toBe('object');
      if (partial.code === undefined) continue;
      expect(fragment.code.startsWith(partial.code)).toBe(true);
      expect(partial.code.startsWith(previousCode)).toBe(true);
      previousCode = partial.code;
    }
    expect(partials[partials.length - 1]).toEqual(fragment);
    expect(parser.text).toBe(answer);
    expect(parser.finish()).toEqual(fragment);
  });

  it('emits a partial only when the fragment changed', () => {
    const parser = createFragmentParser();
    expect(parser.push('{"title": "Co')).toEqual({ title: 'Co' });
    expect(parser.push('   ')).toEqual({ title: 'Co   ' });
    expect(parser.push('"')).toBeUndefined();
    expect(parser.push(', "descr')).toBeUndefined();
    expect(parser.push('iption":')).toBeUndefined();
    expect(parser.push(' "A')).toEqual({ title: 'Co   ', description: 'A' });
    expect(parser.push(' ')).toEqual({ title: 'Co   ', description: 'A ' });
  });

  it('emits exactly the changes of the value parsed so far', () => {
    const fenced = `\`\`\`json\n${answer}\n\`\`\``;
    const parser = createFragmentParser();
    let shown: PartialFragment | undefined;
    for (const delta of chunk(fenced, 3, 9)) {
      const partial = parser.push(delta);
      const start = parser.text.indexOf('{');
      const current =
        start === -1 ? undefined : parsePartialJson(parser.text.slice(start, start + answer.length)).value;
      if (partial) {
        expect(partial).toEqual(current);
        expect(partial).not.toEqual(shown);
        shown = partial;
      } else if (shown) {
        expect(current).toEqual(shown);
      }
    }
    expect(shown).toEqual(fragment);
  });

  it('tolerates prose and a ```json fence around the object', () => {
    const fenced = `Here is your app:\n\n\`\`\`json\n${answer}\n\`\`\`\nEnjoy {it}!`;
    const { parser, partials } = stream(chunk(fenced, 5, 3));
    expect(partials[partials.length - 1]).toEqual(fragment);
    expect(parser.finish()).toEqual(fragment);
  });

  it('ignores text before the first brace and after the closing one', () => {
    const parser = createFragmentParser();
    expect(parser.push('```json\n')).toBeUndefined();
    expect(parser.push(answer.slice(0, -1))).toEqual(fragment);
    // Closing the object adds nothing new.
    expect(parser.push('}')).toBeUndefined();
    expect(parser.push('\n```')).toBeUndefined();
    expect(parser.finish()).toEqual(fragment);
  });

  it('derives has_additional_dependencies when the model left it out', () => {
    const { has_additional_dependencies: _, ...rest } = { ...fragment, additional_dependencies: ['zustand'] };
    const parser = createFragmentParser();
    parser.push(JSON.stringify(rest));
    expect(parser.finish()).toMatchObject({ additional_dependencies: ['zustand'], has_additional_dependencies: true });
  });

  it('rejects an answer without JSON', () => {
    const parser = createFragmentParser();
    parser.push('Sorry, I cannot help with that.');
    expect(expectInvalidFragment(() => parser.finish()).details).toMatchObject({ reason: 'no-json' });
  });

  it('rejects an answer cut off before the object closed', () => {
    const parser = createFragmentParser();
    parser.push(answer.slice(0, 200));
    const error = expectInvalidFragment(() => parser.finish());
    expect(error.details).toMatchObject({ reason: 'incomplete', length: 200 });
    expect(error.message).toContain('ended before');
  });

  it('rejects malformed JSON', () => {
    const parser = createFragmentParser();
    expect(parser.push('{"title": "x",, "code": 1}')).toBeUndefined();
    expect(expectInvalidFragment(() => parser.finish()).details).toMatchObject({ reason: 'invalid-json' });
  });

  it('rejects an object that does not match the schema, listing the zod issues', () => {
    const { code: _, ...withoutCode } = fragment;
    const parser = createFragmentParser();
    parser.push(JSON.stringify({ ...withoutCode, port: '3000' }));
    const error = expectInvalidFragment(() => parser.finish());
    expect(error.message).toContain('port');
    expect(error.message).toContain('code');
    const issues = error.details?.issues as { path: unknown[] }[];
    expect(issues.map((issue) => issue.path)).toEqual(expect.arrayContaining([['port'], ['code']]));
    expect(JSON.parse(JSON.stringify(error.toJSON()))).toMatchObject({ code: 'INVALID_FRAGMENT' });
  });

  it('does not count arrays or scalars as partial fragments', () => {
    const parser = createFragmentParser();
    expect(parser.push('[1, 2, 3]')).toBeUndefined();
    expectInvalidFragment(() => parser.finish());
  });
});
