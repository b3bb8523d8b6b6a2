import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optionsTable } from '../../src/options/table.js';

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('options table is the one derived from the schema (regenerate: npm run docs)', () => {
    const m = /<!-- options-table:start -->\n([\s\S]*?)\n<!-- options-table:end -->/.exec(readme);
    expect(m, 'README lacks the options-table markers').not.toBeNull();
    expect(m![1]).toBe(optionsTable());
  });

  it('starts with the command that runs the CLI and the command that runs the tests', () => {
    const commands = readme.split('\n').filter((l) => l.startsWith('    ')).slice(0, 2).map((l) => l.trim());
    expect(commands[0]).toMatch(/bin\/create-backend-starter\.js .*--yes$/);
    expect(commands[1]).toBe('npm ci && npm test');
  });
});
