// Rewrite the README's options table from the option schema (needs `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsTable } from '../dist/src/options/table.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const next = readme.replace(
  /(<!-- options-table:start -->\n)[\s\S]*?(\n<!-- options-table:end -->)/,
  (_, start, end) => `${start}${optionsTable()}${end}`,
);
writeFileSync(file, next);
console.log(next === readme ? 'README options table: up to date' : 'README options table: updated');
