// Bundles the published entry points so the package installs with zero runtime
// dependencies. Runs after tsc, which still emits the .d.ts files (and dist/src for
// checkouts and tests). Output:
//
//   dist/cli.bundle.js            the CLI (bin/create-backend-starter.js prefers it)
//   dist/index.bundle.js          the library: import { createBackend } from 'create-backend-starter'
//   dist/chunks/*.js              code shared by both, and code loaded only when a run needs it
//                                 (the prompts; yargs once the CLI loads it lazily)
//   dist/generators/app/index.js  the Yeoman generator, with yeoman-generator left external
//   dist/**/locales/yargs/*.json  yargs' translations, beside whichever file holds yargs
//   dist/THIRD-PARTY-LICENSES.md  the licences of everything bundled
//   dist/bundle-meta.json         what each output holds and imports (for the benchmark; not published)
//
// Templates stay files under templates/, found at run time through src/meta.ts.
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const self = path.relative(root, fileURLToPath(import.meta.url));
const packageDir = (name) => path.dirname(createRequire(path.join(root, 'package.json')).resolve(`${name}/package.json`));

// Bundled CommonJS dependencies (ejs, mute-stream, …) call require() for Node built-ins;
// ESM output has no require, so every output file gets one made for it.
const banner = {
  js: "import { createRequire as __cbsCreateRequire } from 'node:module'; const require = __cbsCreateRequire(import.meta.url);",
};

const YARGS_SHIM = /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;

/**
 * yargs finds its translations relative to its own file (`../../../locales` from
 * lib/platform-shims/esm.mjs), which from a bundle points outside the package. Point it
 * at `locales/yargs` beside the output file instead; a copy is put there after the build,
 * so `--help` and usage errors stay in the user's language exactly as unbundled.
 */
const yargsLocales = {
  name: 'yargs-locales',
  setup(b) {
    b.onLoad({ filter: YARGS_SHIM }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const from = "resolve(__dirname, '../../../locales')";
      if (!source.includes(from)) throw new Error(`yargs changed how it finds its locales; update ${self}`);
      return { contents: source.replace(from, "fileURLToPath(new URL('./locales/yargs', import.meta.url))"), loader: 'js' };
    });
  },
};

/**
 * yaml's `node` export is CommonJS, which esbuild cannot tree-shake; its ESM build (the
 * same code, published for browsers and Deno) lets the bundle keep only what `stringify`
 * needs: about 100 KB less to parse on every run.
 */
const yamlEsm = {
  name: 'yaml-esm',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: path.join(packageDir('yaml'), 'browser/index.js') }));
  },
};

/**
 * @inquirer/prompts re-exports every prompt and declares no `sideEffects`, so esbuild keeps
 * them all, and the editor prompt alone brings ~700 KB of character encodings. Its modules
 * only define prompts: marking them side-effect free lets the bundle keep just the prompts
 * the CLI imports by name (a dynamic import of the whole package still keeps them all).
 */
const inquirerPure = {
  name: 'inquirer-pure',
  setup(b) {
    b.onResolve({ filter: /^@inquirer\// }, async (args) => {
      if (args.pluginData?.inquirerPure) return undefined;
      const { path: resolved, errors } = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { inquirerPure: true },
      });
      return errors.length ? { errors } : { path: resolved, sideEffects: false };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: `node${pkg.engines.node.replace(/[^\d.]/g, '')}`,
  // Node ≥ 20.17 has both. Lowered to `new RegExp(…)`, string-width's Unicode property
  // classes are compiled eagerly when the module loads (~10 ms) instead of on first use.
  supported: { 'regexp-unicode-property-escapes': true, 'regexp-set-notation': true },
  banner,
  // Licences are collected in full into THIRD-PARTY-LICENSES.md below.
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
  plugins: [yargsLocales, yamlEsm, inquirerPure],
};

const results = await Promise.all([
  // The CLI and the library in one build so they share chunks. What the CLI imports lazily
  // becomes a chunk of its own that a run never loads unless it needs it.
  build({
    ...common,
    entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts' },
    outdir: dist,
    entryNames: '[name].bundle',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
  }),
  build({
    ...common,
    entryPoints: ['generators/app/index.ts'],
    outfile: path.join(dist, 'generators/app/index.js'),
    // An optional peer dependency: the user's Yeoman setup provides it.
    external: ['yeoman-generator'],
    allowOverwrite: true,
  }),
]);
const outputs = Object.assign({}, ...results.map((r) => r.metafile.outputs));

// Never let a runtime dependency slip back in unnoticed: the output may import only Node
// itself and the optional peer yeoman-generator.
const builtins = new Set(builtinModules);
const unexpected = new Set();
for (const out of Object.values(outputs)) {
  for (const imp of out.imports) {
    if (!imp.external || imp.path === 'yeoman-generator') continue;
    if (!builtins.has(imp.path.replace(/^node:/, ''))) unexpected.add(imp.path);
  }
}
if (unexpected.size) throw new Error(`the bundle imports packages it does not contain: ${[...unexpected].join(', ')}`);

// yargs' translations, beside each output file that contains yargs.
const yargsDirs = new Set(
  Object.entries(outputs)
    .filter(([, out]) => Object.keys(out.inputs).some((i) => YARGS_SHIM.test(i)))
    .map(([file]) => path.join(root, path.dirname(file))),
);
if (yargsDirs.size === 0) throw new Error(`yargs is no longer bundled; remove the locale handling from ${self}`);
for (const dir of yargsDirs) {
  await cp(path.join(packageDir('yargs'), 'locales'), path.join(dir, 'locales/yargs'), { recursive: true });
}

// Leftovers of earlier builds: chunks (their names carry a content hash) and locale copies
// where yargs no longer is. Removed only now, so a CLI started during the build never
// finds its chunks missing.
const chunksDir = path.join(dist, 'chunks');
const current = new Set(Object.keys(outputs).map((f) => path.join(root, f)));
for (const name of existsSync(chunksDir) ? await readdir(chunksDir) : []) {
  const file = path.join(chunksDir, name);
  if (name === 'locales' ? !yargsDirs.has(chunksDir) : !current.has(file)) await rm(file, { recursive: true, force: true });
}
if (!yargsDirs.has(dist)) await rm(path.join(dist, 'locales'), { recursive: true, force: true });

await writeFile(path.join(dist, 'THIRD-PARTY-LICENSES.md'), await licences(Object.values(outputs)));

// What each output holds and imports, for bench/run.mjs to tell what a plain run loads.
// Not published (package.json `files` leaves it out).
const packageOf = (input) => input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? 'create-backend-starter';
const meta = {};
for (const [file, out] of Object.entries(outputs)) {
  if (!file.endsWith('.js')) continue;
  const packages = {};
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
    packages[packageOf(input)] = (packages[packageOf(input)] ?? 0) + bytesInOutput;
  }
  const imports = out.imports.filter((i) => !i.external).map(({ path: p, kind }) => ({ path: p, kind }));
  meta[file] = { bytes: out.bytes, packages, imports };
}
await writeFile(path.join(dist, 'bundle-meta.json'), `${JSON.stringify(meta, null, 2)}\n`);

/** Every bundled package with its licence text, as their licences ask of redistributors. */
async function licences(outs) {
  const dirs = new Set();
  for (const out of outs) {
    for (const input of Object.keys(out.inputs)) {
      const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
      if (m) dirs.add(m[1]);
    }
  }
  const sections = [];
  for (const dir of [...dirs].sort()) {
    const manifest = JSON.parse(await readFile(path.join(root, dir, 'package.json'), 'utf8'));
    const files = (await readdir(path.join(root, dir))).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort();
    const texts = await Promise.all(files.map((f) => readFile(path.join(root, dir, f), 'utf8')));
    sections.push(
      `## ${manifest.name}@${manifest.version} (${manifest.license ?? 'see below'})\n\n` +
        (texts.length
          ? texts.map((t) => '```\n' + t.trim() + '\n```').join('\n\n')
          : `No licence file; package.json says: ${manifest.license}`),
    );
  }
  const uniq = [...new Map(sections.map((s) => [s.split('\n')[0], s])).values()];
  return `# Third-party licences\n\nThe files in dist/ bundle these packages.\n\n${uniq.join('\n\n')}\n`;
}

const kb = (file) => `${((outputs[file]?.bytes ?? 0) / 1024).toFixed(0)} KB`;
console.log(
  `bundled: dist/cli.bundle.js ${kb('dist/cli.bundle.js')}, dist/index.bundle.js ${kb('dist/index.bundle.js')}, ` +
    `dist/generators/app/index.js ${kb('dist/generators/app/index.js')}, ${Object.keys(outputs).filter((f) => f.includes('/chunks/')).length} chunks`,
);
