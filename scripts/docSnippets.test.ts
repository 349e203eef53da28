import { describe, expect, it } from 'vitest';
import { extractRegions, syncSnippets } from './docSnippets.js';

const example = [
  '// #region server',
  "import { createFragmentkit } from '@fragmentkit/server';",
  '// #endregion',
  '',
  'export function start() {',
  '  // #region server',
  '  const fragmentkit = createFragmentkit();',
  '  // #region inner',
  '  fragmentkit.handler;',
  '  // #endregion',
  '  // #endregion',
  '}',
].join('\n');

describe('extractRegions', () => {
  it('joins the parts of one name, dedents them and leaves out nested markers', () => {
    const { regions, problems } = extractRegions(example);
    expect(problems).toEqual([]);
    expect(regions.get('server')).toBe(
      [
        "import { createFragmentkit } from '@fragmentkit/server';",
        '',
        'const fragmentkit = createFragmentkit();',
        'fragmentkit.handler;',
      ].join('\n'),
    );
    expect(regions.get('inner')).toBe('fragmentkit.handler;');
  });

  it('reports unbalanced markers with their line', () => {
    expect(extractRegions('// #region a\nx', 'a.ts').problems).toEqual([
      { file: 'a.ts', line: 1, message: '#region a is never closed' },
    ]);
    expect(extractRegions('x\n// #endregion', 'b.ts').problems).toEqual([
      { file: 'b.ts', line: 2, message: '#endregion without #region' },
    ]);
  });
});

describe('syncSnippets', () => {
  const regions = (file: string) => (file === 'server.ts' ? extractRegions(example).regions : undefined);

  it('replaces what is between the markers with a fenced block of the region', () => {
    const markdown = 'Intro\n\n<!-- snippet: server.ts#inner -->\nstale\n<!-- /snippet -->\n\nOutro\n';
    const result = syncSnippets(markdown, 'guide.md', regions);
    expect(result.markdown).toBe(
      'Intro\n\n<!-- snippet: server.ts#inner -->\n```ts\nfragmentkit.handler;\n```\n<!-- /snippet -->\n\nOutro\n',
    );
    expect(result.problems).toEqual([]);
    expect(syncSnippets(result.markdown, 'guide.md', regions).markdown).toBe(result.markdown);
  });

  it('reports unknown files and regions, and markers that are never closed', () => {
    const markdown = [
      '<!-- snippet: missing.ts#a -->',
      '<!-- /snippet -->',
      '<!-- snippet: server.ts#nope -->',
      '<!-- /snippet -->',
      '<!-- snippet: server.ts#inner -->',
    ].join('\n');
    const { problems } = syncSnippets(markdown, 'guide.md', regions);
    expect(problems.map((problem) => `${problem.line}: ${problem.message}`)).toEqual([
      '1: docs/examples/missing.ts does not exist',
      '3: docs/examples/server.ts has no region "nope"',
      '5: snippet marker without <!-- /snippet -->',
    ]);
  });
});
