import axe from 'axe-core';
import { expect } from 'vitest';

/**
 * Runs axe-core on rendered DOM and fails with the rule ids and nodes of any violation.
 * Colour contrast needs layout, which jsdom does not do, so it is checked in the browser only.
 */
export async function expectAccessible(container: Element): Promise<void> {
  const results = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
  const violations = results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}
