/**
 * Guides show code from `docs/examples/*.ts`, which is typechecked and tested, so a guide cannot
 * drift from the API. A region of an example file:
 *
 *   // #region name
 *   ...code...
 *   // #endregion
 *
 * is copied into every Markdown file between `<!-- snippet: file.ts#name -->` and
 * `<!-- /snippet -->` as a fenced code block. A name used by several regions of one file joins
 * them in order, so a snippet can show the imports at the top of a file and code from inside a
 * function together. Region markers of other names inside a region are left out.
 */

const regionStart = /^\s*\/\/ #region (\S+)\s*$/;
const regionEnd = /^\s*\/\/ #endregion\b.*$/;

/** A problem that `--check` reports; the sync refuses to write while there is one. */
export interface SnippetProblem {
  file: string;
  line: number;
  message: string;
}

function dedent(lines: readonly string[]): string {
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length);
  const indent = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(indent)).join('\n');
}

/**
 * The regions of one example file by name, each dedented; parts of one name joined by a blank line.
 *
 * @example
 * ```ts
 * extractRegions('// #region a\nconst x = 1;\n// #endregion\n').get('a'); // 'const x = 1;'
 * ```
 */
export function extractRegions(
  source: string,
  file = 'source',
): { regions: Map<string, string>; problems: SnippetProblem[] } {
  const parts = new Map<string, string[]>();
  const problems: SnippetProblem[] = [];
  const open: Array<{ name: string; line: number; lines: string[] }> = [];
  source.split(/\r?\n/).forEach((text, index) => {
    const start = regionStart.exec(text);
    if (start) {
      open.push({ name: start[1]!, line: index + 1, lines: [] });
      return;
    }
    if (regionEnd.test(text)) {
      const region = open.pop();
      if (!region) {
        problems.push({ file, line: index + 1, message: '#endregion without #region' });
        return;
      }
      const text = dedent(region.lines).replace(/^\n+|\n+$/g, '');
      parts.set(region.name, [...(parts.get(region.name) ?? []), text]);
      return;
    }
    for (const region of open) region.lines.push(text);
  });
  for (const region of open)
    problems.push({ file, line: region.line, message: `#region ${region.name} is never closed` });
  return { regions: new Map([...parts].map(([name, texts]) => [name, texts.join('\n\n')])), problems };
}

const snippetBlock = /<!-- snippet: ([^#\s]+)#(\S+) -->\n([\s\S]*?)<!-- \/snippet -->/g;

function fenceLanguage(file: string): string {
  const extension = /\.([a-z]+)$/.exec(file)?.[1] ?? '';
  return { mts: 'ts', cts: 'ts', mjs: 'js' }[extension] ?? extension;
}

/**
 * Rewrites every snippet block of a Markdown document from the example regions. `loadRegions`
 * returns a file's regions, or `undefined` when the file does not exist.
 *
 * @example
 * ```ts
 * const { markdown, problems } = syncSnippets(text, 'docs/guides/quickstart.md', (file) => regionsOf(file));
 * ```
 */
export function syncSnippets(
  markdown: string,
  markdownFile: string,
  loadRegions: (file: string) => Map<string, string> | undefined,
): { markdown: string; problems: SnippetProblem[]; used: Array<{ file: string; region: string }> } {
  const problems: SnippetProblem[] = [];
  const used: Array<{ file: string; region: string }> = [];
  const lineOf = (offset: number) => markdown.slice(0, offset).split('\n').length;
  const synced = markdown.replace(snippetBlock, (whole, file: string, region: string, _body, offset: number) => {
    const regions = loadRegions(file);
    const code = regions?.get(region);
    if (code === undefined) {
      problems.push({
        file: markdownFile,
        line: lineOf(offset),
        message: regions ? `docs/examples/${file} has no region "${region}"` : `docs/examples/${file} does not exist`,
      });
      return whole;
    }
    used.push({ file, region });
    const fence = code.includes('```') ? '````' : '```';
    return `<!-- snippet: ${file}#${region} -->\n${fence}${fenceLanguage(file)}\n${code}\n${fence}\n<!-- /snippet -->`;
  });
  const unclosed = synced.split('\n').findIndex((line, index, lines) => {
    if (!line.startsWith('<!-- snippet:')) return false;
    return !lines.slice(index + 1).some((later) => later === '<!-- /snippet -->');
  });
  if (unclosed >= 0)
    problems.push({ file: markdownFile, line: unclosed + 1, message: 'snippet marker without <!-- /snippet -->' });
  return { markdown: synced, problems, used };
}
