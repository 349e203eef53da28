import { describe, expect, it } from 'vitest';
import { PartialJsonParser, parsePartialJson } from './partialJson.js';

const documents: Record<string, string> = {
  fragment: JSON.stringify({
    commentary: 'I will build a "counter" with a \\ backslash,\ttabs, é, 中文 and 😀.',
    template: 'react-preview',
    title: 'Counter',
    additional_dependencies: [],
    has_additional_dependencies: false,
    port: null,
    code: 'export default function App() {\n  const [n, setN] = useState(0);\n  return <button>{n}</button>;\n}\n',
    files: [{ file_path: 'a/b.ts', code: 'export const x = "y";' }],
  }),
  escapes: '{"escaped":"\\u00e9\\u4e2d\\ud83d\\ude00 \\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t","raw":"é中😀"}',
  numbers: '[0, -1, 3.25, -0.5, 1e3, 2E-2, 6.02e+23, 123456789, -0, [true, false, null], {"nested": [[], {}]}]',
  pretty: JSON.stringify({ a: [1, { b: 'two', c: [3, [4, 'five']] }], d: { e: { f: 'deep' } }, g: true }, null, 2),
  strings: '["", "a", "with space", "ends with backslash \\\\", "line\\nbreak"]',
};

/** True when `partial` could grow into `final`: strings are prefixes, complete parts are equal. */
function isPrefixOf(partial: unknown, final: unknown): boolean {
  if (typeof partial === 'string') return typeof final === 'string' && final.startsWith(partial);
  if (typeof partial === 'number') return typeof final === 'number';
  if (Array.isArray(partial)) {
    if (!Array.isArray(final) || partial.length > final.length) return false;
    return partial.every((item, index) =>
      index < partial.length - 1
        ? JSON.stringify(item) === JSON.stringify(final[index])
        : isPrefixOf(item, final[index]),
    );
  }
  if (typeof partial === 'object' && partial !== null) {
    if (typeof final !== 'object' || final === null || Array.isArray(final)) return false;
    const keys = Object.keys(partial);
    const finalRecord = final as Record<string, unknown>;
    return keys.every((key, index) => {
      if (!Object.hasOwn(finalRecord, key)) return false;
      const value = (partial as Record<string, unknown>)[key];
      return index < keys.length - 1
        ? JSON.stringify(value) === JSON.stringify(finalRecord[key])
        : isPrefixOf(value, finalRecord[key]);
    });
  }
  return partial === final;
}

describe('parsePartialJson', () => {
  it.each(Object.entries(documents))('parses every prefix of the %s document', (_, document) => {
    const final = JSON.parse(document);
    for (let length = 0; length < document.length; length++) {
      const prefix = document.slice(0, length);
      const result = parsePartialJson(prefix);
      expect(result.state, prefix).not.toBe('invalid');
      if (result.state === 'complete') expect(result.value).toEqual(JSON.parse(prefix));
      if (result.value !== undefined) expect(isPrefixOf(result.value, final), prefix).toBe(true);
    }
    expect(parsePartialJson(document)).toEqual({ state: 'complete', value: final });
    expect(parsePartialJson(`\n  ${document}  \n`)).toEqual({ state: 'complete', value: final });
  });

  it('lets string values only grow, one prefix to the next', () => {
    const document = documents.fragment as string;
    let previous = '';
    for (let length = 0; length <= document.length; length++) {
      const { value } = parsePartialJson(document.slice(0, length));
      const code = (value as { code?: unknown } | undefined)?.code;
      if (typeof code !== 'string') continue;
      expect(code.startsWith(previous)).toBe(true);
      previous = code;
    }
    expect(previous).toBe(JSON.parse(document).code);
  });

  it.each([
    ['', undefined],
    ['  ', undefined],
    ['{', {}],
    ['{"title": "Coun', { title: 'Coun' }],
    ['{"ke', {}],
    ['{"key"', {}],
    ['{"key":', {}],
    ['{"a": 1, "ok": tr', { a: 1 }],
    ['{"a": nul', {}],
    ['{"a": f', {}],
    ['[1, -', [1]],
    ['[1.', []],
    ['[1e', []],
    ['[1e+', []],
    ['[12', [12]],
    ['[1, 2,', [1, 2]],
    ['{"a": "x",', { a: 'x' }],
    ['{"a": "x", ', { a: 'x' }],
    ['["ab\\', ['ab']],
    ['["ab\\u00', ['ab']],
    ['["ab\\u00e9', ['abé']],
    ['["\\ud83d', ['']],
    ['["\\ud83d\\ude00', ['😀']],
    ['{"files": [{"file_path": "a.ts", "co', { files: [{ file_path: 'a.ts' }] }],
    ['{"a": [[], {"b": [', { a: [[], { b: [] }] }],
    ['"abc', 'abc'],
    ['tru', undefined],
    ['-', undefined],
  ])('completes %j as far as it is certain', (text, value) => {
    expect(parsePartialJson(text)).toEqual({ state: 'partial', value });
  });

  it.each([
    ['12', 12],
    ['true', true],
    ['null', null],
    ['"x"', 'x'],
    ['{}', {}],
    [' [] ', []],
  ])('reports %j as complete', (text, value) => {
    expect(parsePartialJson(text)).toEqual({ state: 'complete', value });
  });

  it.each([
    '{a: 1}',
    '[1 2]',
    '}',
    ']',
    '{"a" 1}',
    '{"a": 1 "b": 2}',
    '[1,]',
    '{"a": 1,}',
    '[,1]',
    '"\\x"',
    '"\\u12g4"',
    'tru e',
    'nulL',
    '01',
    '[-]',
    '[1.e5]',
    '[.5]',
    '+1',
    '{"a": 1}}',
    '{"a": 1} trailing',
    "{'a': 1}",
    'undefined',
    '[NaN]',
  ])('reports %j as invalid', (text) => {
    expect(parsePartialJson(text)).toEqual({ state: 'invalid', value: undefined });
  });

  it('keeps raw line breaks and tabs inside strings, as models write them', () => {
    expect(parsePartialJson('{"code": "a\n\tb"}')).toEqual({ state: 'complete', value: { code: 'a\n\tb' } });
  });

  it('makes __proto__ an own property, like JSON.parse', () => {
    const result = parsePartialJson('{"__proto__": {"polluted": true}, "a": 1}');
    expect(result.state).toBe('complete');
    const value = result.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(value).toEqual(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'));

    const partial = parsePartialJson('{"__proto__": {"polluted": true}, "a": "b').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(partial)).toBe(Object.prototype);
    expect(Object.hasOwn(partial, '__proto__')).toBe(true);
  });

  it('survives deep nesting without recursion', () => {
    expect(parsePartialJson('['.repeat(100_000)).state).toBe('partial');
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect(parsePartialJson(deep).state).toBe('complete');
  });

  it('agrees with JSON.parse on random documents and one-character corruptions of them', () => {
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const strings = ['', 'a', 'code', 'é中😀', 'quote " and \\ backslash', 'line\nbreak', '{[,:]}'];
    const randomValue = (depth: number): unknown => {
      const kind = depth > 3 ? Math.floor(random() * 4) : Math.floor(random() * 6);
      if (kind === 0) return pick(strings);
      if (kind === 1) return pick([0, -1, 3.5, 1e21, -2.5e-7, 42]);
      if (kind === 2) return pick([true, false, null]);
      if (kind === 3) return pick(strings).length;
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, () => [
          pick(['a', 'b', 'title', 'code', '']),
          randomValue(depth + 1),
        ]),
      );
    };
    const noise = ['{', '}', '[', ']', ',', ':', '"', '\\', 'u', '1', '-', '.', 'e', ' ', 't', 'n'];

    for (let run = 0; run < 3000; run++) {
      const document = JSON.stringify(randomValue(0));
      expect(parsePartialJson(document)).toEqual({ state: 'complete', value: JSON.parse(document) });

      const at = Math.floor(random() * document.length);
      const corrupted =
        random() < 0.5
          ? document.slice(0, at) + document.slice(at + 1)
          : document.slice(0, at) + pick(noise) + document.slice(at);
      let expected: unknown;
      let parses = true;
      try {
        expected = JSON.parse(corrupted);
      } catch {
        parses = false;
      }
      const result = parsePartialJson(corrupted);
      if (parses) expect(result, corrupted).toEqual({ state: 'complete', value: expected });
      else expect(result.state, corrupted).not.toBe('complete');
    }
  });
});

describe('PartialJsonParser', () => {
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

  it.each(Object.entries(documents))('gives the same results in pieces as on each prefix (%s)', (_, document) => {
    for (const [maxSize, seed] of [
      [1, 1],
      [3, 2],
      [16, 3],
    ] as const) {
      const parser = new PartialJsonParser();
      let prefix = '';
      let previous = JSON.stringify(parser.result().value);
      let previousVersion = parser.version;
      for (const piece of chunk(document, maxSize, seed)) {
        parser.write(piece);
        prefix += piece;
        const result = parser.result();
        expect(result, prefix).toEqual(parsePartialJson(prefix));
        // The version moves exactly when the value does.
        const serialized = JSON.stringify(result.value);
        expect(parser.version !== previousVersion, prefix).toBe(serialized !== previous);
        previous = serialized;
        previousVersion = parser.version;
      }
      expect(parser.done || /^-?\d/.test(document)).toBe(true);
    }
  });

  it('stops at the end of the value and says where that was', () => {
    const parser = new PartialJsonParser();
    parser.write('{"a": [1, ');
    parser.write('2]} and then ```');
    parser.write(' more');
    expect(parser.done).toBe(true);
    expect(parser.end).toBe('{"a": [1, 2]}'.length);
    expect(parser.result()).toEqual({ state: 'complete', value: { a: [1, 2] } });
  });

  it('holds back half of a surrogate pair split across pieces', () => {
    const parser = new PartialJsonParser();
    parser.write('["a\ud83d');
    const version = parser.version;
    expect(parser.result().value).toEqual(['a']);
    parser.write('\ude00"]');
    expect(parser.version).not.toBe(version);
    expect(parser.result()).toEqual({ state: 'complete', value: ['a😀'] });
  });
});
