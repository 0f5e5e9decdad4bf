import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors.js';

describe('error code registry', () => {
  it("matches the README's table of codes and HTTP statuses", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('## Error codes');
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` \| (\d{3})/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual(Object.entries(ERROR_CODES).map(([code, def]) => [code, def.status]));
  });
});
