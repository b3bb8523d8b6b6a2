import { build } from 'esbuild';
import path from 'node:path';
const root = process.cwd();
const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
const yamlEsm = { name: 'y', setup(b) { b.onResolve({ filter: /^yaml$/ }, () => ({ path: path.join(root, 'node_modules/yaml/browser/index.js') })); } };
const lazySeg = { name: 's', setup(b) { b.onLoad({ filter: /string-width[\\/]index\.js$/ }, async (a) => { const fs = await import('node:fs/promises'); let s = await fs.readFile(a.path, 'utf8'); s = s.replace(/const segmenter = new Intl\.Segmenter\(\);/, 'let __seg; const segmenter = { segment: (s) => (__seg ??= new Intl.Segmenter()).segment(s) };'); return { contents: s, loader: 'js' }; }); } };
const variants = {
  A: {},
  B: { supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true } },
  C: { supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true }, plugins: [yamlEsm] },
  D: { supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true }, plugins: [yamlEsm, lazySeg] },
  E: { supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true }, plugins: [yamlEsm, lazySeg], minifyWhitespace: true, minifySyntax: true },
  F: { plugins: [yamlEsm, lazySeg] },
};
for (const [k, v] of Object.entries(variants)) {
  await build({ entryPoints: { cli: 'src/cli.ts' }, outdir: `dist/exp-${k}`, entryNames: '[name].bundle', chunkNames: 'chunks/[name]-[hash]', splitting: true, bundle: true, platform: 'node', format: 'esm', target: 'node20.17', banner, ...v });
}
