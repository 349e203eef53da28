/**
 * Copies the `// #region` blocks of `docs/examples/*` into the Markdown under `docs/` and into
 * the README (see scripts/docSnippets.ts for the markers).
 *
 *   pnpm docs:snippets           rewrite the Markdown
 *   pnpm docs:check              fail, listing each stale block, when the Markdown is out of date
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractRegions, type SnippetProblem, syncSnippets } from './docSnippets.js';
import { workspaceRoot } from './workspacePackages.js';

const check = process.argv.includes('--check');
const examplesDirectory = join(workspaceRoot, 'docs', 'examples');

function markdownFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'api' ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const problems: SnippetProblem[] = [];
const regionCache = new Map<string, Map<string, string> | undefined>();
function loadRegions(file: string): Map<string, string> | undefined {
  if (!regionCache.has(file)) {
    const path = join(examplesDirectory, file);
    if (!existsSync(path)) regionCache.set(file, undefined);
    else {
      const extracted = extractRegions(readFileSync(path, 'utf8'), `docs/examples/${file}`);
      problems.push(...extracted.problems);
      regionCache.set(file, extracted.regions);
    }
  }
  return regionCache.get(file);
}

const stale: string[] = [];
let snippetCount = 0;
for (const path of [...markdownFiles(join(workspaceRoot, 'docs')), join(workspaceRoot, 'README.md')]) {
  const name = relative(workspaceRoot, path);
  const before = readFileSync(path, 'utf8');
  const result = syncSnippets(before, name, loadRegions);
  problems.push(...result.problems);
  snippetCount += result.used.length;
  if (result.markdown === before) continue;
  stale.push(name);
  if (!check) writeFileSync(path, result.markdown);
}

for (const problem of problems) console.error(`${problem.file}:${problem.line}: ${problem.message}`);
if (check && stale.length > 0) {
  console.error(
    `Out of date with docs/examples: ${stale.join(', ')}. Run \`pnpm docs:snippets\` and commit the result.`,
  );
}
if (problems.length > 0 || (check && stale.length > 0)) process.exit(1);
console.log(
  check
    ? `${snippetCount} doc snippets match docs/examples.`
    : `${snippetCount} doc snippets synced${stale.length ? `; updated ${stale.join(', ')}` : ''}.`,
);
