import { FragmentkitError } from '../errors.js';
import type { LineRange, SnippetAttachment } from './attachment.js';
import { contentHash } from './contentHash.js';

/** Options for {@link createAttachment}. */
export interface CreateAttachmentOptions {
  /** Path of the file in the user's project, as the model should see it, e.g. `src/App.tsx`. */
  filePath: string;
  /** The whole lines of `range`, e.g. from {@link sliceLines}. */
  text: string;
  /** The attached lines, 1-based and inclusive. */
  range: LineRange;
  /** Fence language of the snippet. Defaults to {@link languageFromPath}. */
  language?: string;
}

/**
 * Creates an {@link Attachment}: a snippet of whole lines from one file. Its `id` is the stable
 * identity of file and range (`src/App.tsx#L10-L24`), so attaching the same lines twice yields
 * the same id, and its `contentHash` lets a host notice when the file changed since.
 *
 * Line endings are normalised to `\n`. A trailing line break is read as the end of the last line
 * (and dropped) unless the range says the last line is empty: `'x\n'` for lines 3-4 is `x` plus
 * an empty line 4, as {@link sliceLines} returns it.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when the path is empty, the range is not a range of
 * whole lines (`startLine >= 1`, `endLine >= startLine`, integers), or the text does not have one
 * line per line of the range.
 *
 * @example
 * ```ts
 * import { createAttachment, sliceLines } from '@fragmentkit/core';
 *
 * const range = { startLine: 10, endLine: 24 };
 * const attachment = createAttachment({ filePath: 'src/App.tsx', text: sliceLines(source, range), range });
 * attachment.id; // 'src/App.tsx#L10-L24'
 * attachment.language; // 'tsx'
 * ```
 */
export function createAttachment(options: CreateAttachmentOptions): SnippetAttachment {
  const { filePath, range } = options;
  if (typeof filePath !== 'string' || filePath.trim() === '') {
    throw new FragmentkitError('INVALID_REQUEST', 'An attachment needs a non-empty filePath.');
  }
  assertLineRange(range);
  const expected = range.endLine - range.startLine + 1;
  const normalized = options.text.replace(/\r\n?/g, '\n');
  const text = normalized.split('\n').length === expected ? normalized : normalized.replace(/\n$/, '');
  const lineCount = text.split('\n').length;
  if (lineCount !== expected) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `The text of ${filePath} has ${lineCount} line(s) but lines ${range.startLine}-${range.endLine} are ${expected}. ` +
        'Pass the whole lines of the range, e.g. sliceLines(source, range), and clamp the range to the file.',
      { details: { filePath, range, lineCount } },
    );
  }
  return {
    id: `${filePath}#L${range.startLine}-L${range.endLine}`,
    kind: 'snippet',
    filePath,
    language: options.language ?? languageFromPath(filePath),
    text,
    range: { startLine: range.startLine, endLine: range.endLine },
    contentHash: contentHash(text),
  };
}

/** @throws {FragmentkitError} `INVALID_REQUEST` unless `range` is a range of whole lines. */
export function assertLineRange(range: LineRange): void {
  const valid =
    typeof range === 'object' &&
    range !== null &&
    Number.isInteger(range.startLine) &&
    Number.isInteger(range.endLine) &&
    range.startLine >= 1 &&
    range.endLine >= range.startLine;
  if (!valid) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Invalid line range ${JSON.stringify(range)}: lines are 1-based integers and endLine must not be before startLine.`,
      { details: { range } },
    );
  }
}

const languageByExtension: Readonly<Record<string, string>> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'jsx',
  py: 'python',
  ipynb: 'json',
  css: 'css',
  scss: 'scss',
  sass: 'sass',
  less: 'less',
  html: 'html',
  htm: 'html',
  json: 'json',
  jsonc: 'jsonc',
  md: 'markdown',
  mdx: 'mdx',
  vue: 'vue',
  svelte: 'svelte',
  astro: 'astro',
  go: 'go',
  rs: 'rust',
  java: 'java',
  kt: 'kotlin',
  kts: 'kotlin',
  scala: 'scala',
  swift: 'swift',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
  lua: 'lua',
  dart: 'dart',
  r: 'r',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  ps1: 'powershell',
  yaml: 'yaml',
  yml: 'yaml',
  toml: 'toml',
  ini: 'ini',
  xml: 'xml',
  svg: 'xml',
  sql: 'sql',
  graphql: 'graphql',
  gql: 'graphql',
  prisma: 'prisma',
  proto: 'protobuf',
  tf: 'hcl',
  dockerfile: 'dockerfile',
};

const languageByFileName: Readonly<Record<string, string>> = {
  dockerfile: 'dockerfile',
  makefile: 'makefile',
  '.env': 'dotenv',
};

/**
 * The Markdown fence language for a file path, from its extension (`src/App.tsx` -> `tsx`,
 * `main.py` -> `python`) or well-known names (`Dockerfile`); `''` when unknown.
 *
 * @example
 * ```ts
 * import { languageFromPath } from '@fragmentkit/core';
 * languageFromPath('src/pages/index.tsx'); // 'tsx'
 * languageFromPath('README'); // ''
 * ```
 */
export function languageFromPath(filePath: string): string {
  const fileName = (filePath.split(/[\\/]/).pop() ?? '').toLowerCase();
  const byName = languageByFileName[fileName];
  if (byName !== undefined) return byName;
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return '';
  return languageByExtension[fileName.slice(dot + 1)] ?? '';
}

/**
 * The whole lines of `range` (1-based, inclusive) from `source`, joined with `\n`. A range that
 * runs past the end of the file is clamped to it; one that starts past the end yields `''`.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when the range is not a range of whole lines.
 *
 * @example
 * ```ts
 * import { sliceLines } from '@fragmentkit/core';
 * sliceLines('a\nb\nc\nd', { startLine: 2, endLine: 3 }); // 'b\nc'
 * ```
 */
export function sliceLines(source: string, range: LineRange): string {
  assertLineRange(range);
  const lines = source.split(/\r\n?|\n/);
  return lines.slice(range.startLine - 1, range.endLine).join('\n');
}
