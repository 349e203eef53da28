import { describe, expect, it } from 'vitest';
import { findFencedBlocks } from './fencedBlocks.js';

describe('findFencedBlocks', () => {
  it('finds backtick and tilde fences with their info strings and line spans', () => {
    const blocks = findFencedBlocks('intro\n```diff\na\n```\n~~~~ ts title="x"\nb\n~~~~\n');
    expect(blocks).toEqual([
      { info: 'diff', content: 'a\n', startLine: 1, endLine: 3, closed: true },
      { info: 'ts title="x"', content: 'b\n', startLine: 4, endLine: 6, closed: true },
    ]);
  });

  it('needs a closing fence at least as long and not indented more than the opening one', () => {
    const [block] = findFencedBlocks('````md\n```\n inner\n ```\n````\n');
    expect(block).toMatchObject({ content: '```\n inner\n ```\n', closed: true });
    const [indented] = findFencedBlocks('```diff\n ```\n```\n');
    expect(indented!.content).toBe(' ```\n');
  });

  it('reports a block that never closes', () => {
    expect(findFencedBlocks('```diff\n-a\n+b')).toEqual([
      { info: 'diff', content: '-a\n+b\n', startLine: 0, endLine: 2, closed: false },
    ]);
  });

  it('ignores inline code that starts with three backticks', () => {
    expect(findFencedBlocks('``` `x` ```\n')).toEqual([]);
  });
});
