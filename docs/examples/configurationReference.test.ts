import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

/** The top-level fields of an interface, read from its source. */
function interfaceFields(source: string, name: string): string[] {
  const body = new RegExp(`export interface ${name}[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1];
  if (!body) throw new Error(`interface ${name} not found`);
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((match) => match[1]!);
}

describe('the configuration reference (docs/guides/configuration.md)', () => {
  it('mentions every field of FragmentkitConfig', () => {
    const fields = interfaceFields(read('../../packages/server/src/fragmentkit.ts'), 'FragmentkitConfig');
    expect(fields).toContain('model');
    const guide = read('../guides/configuration.md');
    expect(fields.filter((field) => !guide.includes(`| \`${field}\` |`))).toEqual([]);
  });
});

describe('the wire protocol (docs/guides/wire-protocol.md)', () => {
  it('lists every error code with the status the server answers it with', async () => {
    const { errorCodeStatus } = await import('@fragmentkit/core');
    const guide = read('../guides/wire-protocol.md');
    const missing = Object.entries(errorCodeStatus)
      .map(([code, status]) => `| \`${code}\` | ${status} |`)
      .filter((row) => !guide.includes(row));
    expect(missing).toEqual([]);
  });
});
