import { FragmentkitError } from '../errors.js';
import type { PackageManager } from './sandboxProvider.js';

/**
 * A validated package requirement: the package `name` (normalised for pip) and the `spec`
 * as it is passed to the package manager.
 *
 * @example
 * ```ts
 * const requirement: PackageSpec = { name: 'scikit-learn', spec: 'scikit-learn>=1.4' };
 * ```
 */
export interface PackageSpec {
  name: string;
  spec: string;
}

// A name must not start with `-`, so a spec can never turn into a command-line option.
const npmPattern =
  /^(?<name>(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*)(?:@(?<version>[A-Za-z0-9.^~<>=*|+-]+))?$/;
const pipPattern =
  /^(?<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[[A-Za-z0-9._,-]+\])?(?:(?:===|==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!-]+(?:,(?:===|==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!-]+)*)?$/;
const maxSpecLength = 214;

/**
 * Parses one entry of a fragment's `additional_dependencies` for `manager`. Only registry
 * packages with optional version ranges are accepted: no URLs, paths, git specs, spaces or
 * shell characters, so the spec is safe to pass to `pip install` / `npm install`.
 *
 * @throws FragmentkitError `INVALID_REQUEST` with `details: { package, manager }` for anything else.
 *
 * @example
 * ```ts
 * import { parsePackageSpec } from '@fragmentkit/core';
 *
 * parsePackageSpec('Scikit_Learn>=1.4', 'pip'); // { name: 'scikit-learn', spec: 'Scikit_Learn>=1.4' }
 * parsePackageSpec('@tanstack/react-query@^5', 'npm'); // { name: '@tanstack/react-query', spec: '@tanstack/react-query@^5' }
 * parsePackageSpec('left-pad; rm -rf /', 'npm'); // throws INVALID_REQUEST
 * ```
 */
export function parsePackageSpec(spec: string, manager: PackageManager): PackageSpec {
  const trimmed = typeof spec === 'string' ? spec.trim() : '';
  const match = trimmed.length <= maxSpecLength ? (manager === 'npm' ? npmPattern : pipPattern).exec(trimmed) : null;
  const name = match?.groups?.name;
  if (!name) {
    const shown = String(spec).slice(0, 100);
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `${JSON.stringify(shown)} is not a valid ${manager} package: use a registry package name with an optional version range, without URLs, paths or spaces.`,
      { details: { package: shown, manager } },
    );
  }
  return { name: manager === 'pip' ? normalizePipName(name) : name, spec: trimmed };
}

/** PEP 503 normalisation: `Scikit_Learn` and `scikit-learn` are the same package. */
function normalizePipName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
