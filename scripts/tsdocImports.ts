import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * TSDoc `@example`s are what users copy. This finds every `import { … } from '@fragmentkit/…'`
 * inside a doc comment whose subpath is not in the package's `exports`, or whose name that
 * entry does not export, so an example cannot promise an API a user cannot import.
 */

/** One import of a TSDoc example that a user could not make. */
export interface UnexportedImport {
  /** Source file of the doc comment, relative to the packages folder. */
  file: string;
  specifier: string;
  /** `undefined` when the subpath itself is missing. */
  name?: string;
}

/** The names a module exports, following `export … from` re-exports (explicit lists and `export *`). */
export function exportedNames(file: string, seen: Set<string> = new Set()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file) || !existsSync(file)) return names;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of match[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) names.add(name);
    }
  }
  for (const match of source.matchAll(/^export\s+\*\s+from\s+'(\.[^']+)'/gm)) {
    const target = resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts'));
    for (const name of exportedNames(target, seen)) names.add(name);
  }
  for (const match of source.matchAll(
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+(\w+)/gm,
  )) {
    names.add(match[1]!);
  }
  return names;
}

/** `@fragmentkit/<package><subpath>` → the source file its `@fragmentkit/source` condition names. */
function entryFiles(packagesDirectory: string, packageNames: readonly string[]): Map<string, string> {
  const entries = new Map<string, string>();
  for (const name of packageNames) {
    const manifest = JSON.parse(readFileSync(join(packagesDirectory, name, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
    };
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const source = typeof target === 'object' ? target['@fragmentkit/source'] : undefined;
      if (source) entries.set(`@fragmentkit/${name}${subpath.slice(1)}`, join(packagesDirectory, name, source));
    }
  }
  return entries;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', '__fixtures__'].includes(entry.name) ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/**
 * Every import in a TSDoc example of `packages/<name>/src` that the published packages do not
 * provide.
 *
 * @example
 * ```ts
 * const problems = findUnexportedTsdocImports('packages', ['core', 'server', 'react']);
 * ```
 */
export function findUnexportedTsdocImports(
  packagesDirectory: string,
  packageNames: readonly string[],
): UnexportedImport[] {
  const entries = entryFiles(packagesDirectory, packageNames);
  const exportsByEntry = new Map<string, Set<string>>();
  const problems = new Map<string, UnexportedImport>();
  for (const name of packageNames) {
    for (const file of sourceFiles(join(packagesDirectory, name, 'src'))) {
      const source = readFileSync(file, 'utf8');
      for (const comment of source.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
        const text = comment[0].replace(/^\s*\*\s?/gm, '');
        for (const match of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(@fragmentkit\/[^']+)'/g)) {
          const specifier = match[2]!;
          const where = relative(packagesDirectory, file);
          const entry = entries.get(specifier);
          if (!entry) {
            problems.set(`${specifier}|${where}`, { file: where, specifier });
            continue;
          }
          if (!exportsByEntry.has(entry)) exportsByEntry.set(entry, exportedNames(entry));
          const exported = exportsByEntry.get(entry)!;
          for (const part of match[1]!.split(',')) {
            const imported = part
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0];
            if (imported && !exported.has(imported)) {
              problems.set(`${specifier}|${imported}|${where}`, { file: where, specifier, name: imported });
            }
          }
        }
      }
    }
  }
  return [...problems.values()].sort((a, b) =>
    `${a.specifier} ${a.name ?? ''} ${a.file}`.localeCompare(`${b.specifier} ${b.name ?? ''} ${b.file}`),
  );
}
