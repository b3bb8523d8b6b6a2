// `npm run bench`: how fast a user gets a project, against the floor for the same output.
//
// Times whole processes, the way a user runs them: the CLI installed from the packed
// tarball generating node × postgres with git into a fresh directory, a baseline that
// writes the very same files with plain fs and runs the same git commands
// (bench/baseline.mjs), and `node -e 0`. The three are interleaved run by run, so a busy
// machine slows all of them alike and the ratio stays meaningful. Also reports peak RSS,
// the packed size, the runtime dependencies, and one run of every other combination.
//
//   node bench/run.mjs [--runs 30] [--warmup 3]      (npm run bench builds first)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '30' }, warmup: { type: 'string', default: '3' } },
});
const RUNS = Number(flags.runs);
const WARMUP = Number(flags.warmup);
const TARGETS = { ratio: 1.5, packedBytes: 1024 * 1024, runtimeDeps: 0, rssMB: 100 };

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(repo, 'dist/cli.bundle.js'))) fail('dist/cli.bundle.js is missing: run `npm run bench` (it builds first).');

const work = await mkdtemp(path.join(os.tmpdir(), 'cbs-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));
if (spawnSync('git', ['rev-parse'], { cwd: work }).status === 0) fail(`${work} is inside a git repository; set TMPDIR elsewhere.`);

// Every git commit in the runs needs an identity; give the same one to the CLI and the baseline.
const env = {
  ...process.env,
  CI: '',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
};
for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[k];

const log = (line = '') => process.stdout.write(`${line}\n`);
const progress = (line) => process.stderr.write(`· ${line}\n`);

// --- the published package: pack it, install it into an empty project ----------------
progress('npm pack');
const packJson = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo);
const pack = JSON.parse(packJson.slice(packJson.indexOf('[')))[0];
const tarball = path.join(work, pack.filename);

progress('npm install <tarball> into an empty project');
const project = path.join(work, 'project');
mkdirSync(project);
writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'bench-project', private: true }));
const t0 = performance.now();
npm(['install', tarball, '--no-audit', '--no-fund', '--loglevel=error'], project);
const installSeconds = (performance.now() - t0) / 1000;
const installedPkg = path.join(project, 'node_modules/create-backend-starter');
const installedOthers = readdirSync(path.join(project, 'node_modules')).filter(
  (n) => !n.startsWith('.') && n !== 'create-backend-starter',
);
const manifest = JSON.parse(readFileSync(path.join(installedPkg, 'package.json'), 'utf8'));
const declaredDeps = Object.keys(manifest.dependencies ?? {});
const requiredPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
  (p) => !manifest.peerDependenciesMeta?.[p]?.optional,
);
const runtimeDeps = new Set([...declaredDeps, ...requiredPeers, ...installedOthers]).size;

const bin = path.join(installedPkg, 'bin/create-backend-starter.js');
const { languageIds, databaseIds } = await import(pathToFileURL(path.join(installedPkg, 'dist/index.bundle.js')).href);

// --- the baseline's input: the CLI's own output for node × postgres -------------------
progress('capturing the files the CLI writes, for the baseline');
const cliArgs = (dir, lang = 'node', db = 'postgres') => [bin, dir, '--lang', lang, '--db', db, '--yes', '--no-install'];
const fixtureDir = path.join(work, 'fixture');
run(process.execPath, [...cliArgs(fixtureDir), '--no-git'], work);
const fixtureFiles = walk(fixtureDir).map((rel) => {
  const file = path.join(fixtureDir, rel);
  return { path: rel, mode: statSync(file).mode & 0o777, content: readFileSync(file).toString('base64') };
});
const fixture = path.join(work, 'fixture.json');
writeFileSync(fixture, JSON.stringify({ files: fixtureFiles }));

const commands = {
  cli: (dir) => [process.execPath, ...cliArgs(dir)],
  baseline: (dir) => [process.execPath, path.join(repo, 'bench/baseline.mjs'), fixture, dir],
  'node -e 0': () => [process.execPath, '-e', '0'],
};

// Both must really produce a committed repository with the same files, or the race is unfair.
for (const name of ['cli', 'baseline']) {
  const dir = path.join(work, `check-${name}`);
  run(...split(commands[name](dir)), work);
  const status = execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' });
  if (spawnSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).status !== 0 || status !== '') {
    fail(`${name}: did not leave a committed repository with nothing uncommitted:\n${status}`);
  }
  if (walk(dir).join('\n') !== fixtureFiles.map((f) => f.path).join('\n')) fail(`${name}: wrote other files than the CLI`);
}

// --- timing ---------------------------------------------------------------------------
progress(`timing: ${WARMUP} warm-up + ${RUNS} runs of each, interleaved`);
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const runsDir = path.join(work, 'runs');
for (let i = 0; i < WARMUP + RUNS; i++) {
  for (const [name, command] of Object.entries(commands)) {
    const dir = path.join(runsDir, `${name.replace(/\W/g, '')}-${i}`);
    const seconds = timed(command(dir));
    if (i >= WARMUP) times[name].push(seconds);
  }
  rmSync(runsDir, { recursive: true, force: true });
}

// --- peak memory ----------------------------------------------------------------------
progress('peak RSS (/usr/bin/time -v)');
const rss = existsSync('/usr/bin/time')
  ? Object.fromEntries(
      ['cli', 'baseline'].map((name) => {
        const peaks = [0, 1, 2].map((i) => peakRssKB(commands[name](path.join(work, `rss-${name}-${i}`))));
        return [name, Math.max(...peaks)];
      }),
    )
  : null;

// --- every other combination once -----------------------------------------------------
progress('every other combination, once each');
const combos = [];
for (const lang of languageIds) {
  for (const db of databaseIds) {
    if (lang === 'node' && db === 'postgres') continue;
    const dir = path.join(work, 'combos', `${lang}-${db}`);
    try {
      const seconds = timed([process.execPath, ...cliArgs(dir, lang, db)], { orThrow: true });
      combos.push({ lang, db, seconds, files: walk(dir).length });
    } catch (err) {
      combos.push({ lang, db, error: err.message });
    }
  }
}

// --- what a plain run loads, and what each import costs -----------------------------
// From the bundler's metafile: static imports load on every run, dynamic ones on demand.
const bundleMeta = JSON.parse(readFileSync(path.join(repo, 'dist/bundle-meta.json'), 'utf8'));
const reach = (from, kinds) => {
  const seen = new Set([from]);
  for (const file of seen) for (const i of bundleMeta[file]?.imports ?? []) if (kinds.includes(i.kind)) seen.add(i.path);
  return seen;
};
const everyRun = reach('dist/cli.bundle.js', ['import-statement']);
const onDemand = new Set([...reach('dist/cli.bundle.js', ['import-statement', 'dynamic-import'])].filter((f) => !everyRun.has(f)));
const packagesIn = (files) => {
  const out = {};
  for (const f of files) for (const [p, b] of Object.entries(bundleMeta[f].packages)) out[p] = (out[p] ?? 0) + b;
  return out;
};
const loaded = { everyRun: packagesIn(everyRun), onDemand: packagesIn(onDemand) };
const bytesOf = (files) => [...files].reduce((n, f) => n + bundleMeta[f].bytes, 0);

progress('import costs');
const imports = ['yargs', '@inquirer/prompts', 'ejs', 'yaml', 'smol-toml', 'yeoman-generator', 'yeoman-environment'].map((p) => ({
  label: p,
  ms: importMs(p),
  note: Object.keys(loaded.everyRun).some((q) => q === p || (p === '@inquirer/prompts' && q.startsWith('@inquirer/')))
    ? 'bundled, loaded by every run'
    : Object.keys(loaded.onDemand).some((q) => q === p || (p === '@inquirer/prompts' && q.startsWith('@inquirer/')))
      ? 'bundled, loaded only when a run needs it'
      : 'not in the CLI',
}));
imports.unshift({
  label: 'dist/cli.bundle.js',
  ms: importMs(pathToFileURL(path.join(installedPkg, 'dist/cli.bundle.js')).href),
  note: 'the CLI with everything a plain run loads',
});

// --- report ---------------------------------------------------------------------------
const st = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
const ratio = st.cli.median / st.baseline.median;
const sec = (x) => `${x.toFixed(3)} s`;
const mb = (kib) => `${(kib / 1024).toFixed(0)} MB`;
const verdict = (ok) => (ok ? 'ok' : 'MISSED');
const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';

log(`create-backend-starter ${manifest.version} benchmark, ${new Date().toISOString().slice(0, 10)}`);
log(`node ${process.version}, git ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim().replace('git version ', '')}, ${cpu} × ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
log(`CLI = create-backend-starter <dir> --lang node --db postgres --yes --no-install (git on), installed from the packed tarball`);
log(`${fixtureFiles.length} files; wall time of the whole process, ${RUNS} runs after ${WARMUP} warm-up, interleaved`);
log();
log('                         median     min – max');
for (const [name, s] of Object.entries(st)) {
  const label = name === 'baseline' ? 'baseline (fs + git)' : name;
  log(`  ${label.padEnd(22)} ${sec(s.median).padEnd(10)} ${s.min.toFixed(3)} – ${s.max.toFixed(3)} s`);
}
log();
log(`  CLI / baseline         ${ratio.toFixed(2)}×          target ≤ ${TARGETS.ratio}×       ${verdict(ratio <= TARGETS.ratio)}`);
log(
  rss
    ? `  peak RSS, CLI          ${mb(rss.cli).padEnd(12)} target ≤ ${TARGETS.rssMB} MB      ${verdict(rss.cli / 1024 <= TARGETS.rssMB)}   (baseline ${mb(rss.baseline)})`
    : '  peak RSS, CLI          n/a: /usr/bin/time is missing (apt-get install time)',
);
log(
  `  npm pack               ${`${(pack.size / 1024).toFixed(0)} KB`.padEnd(12)} target ≤ 1 MB        ${verdict(pack.size <= TARGETS.packedBytes)}   (${(pack.unpackedSize / 1024).toFixed(0)} KB unpacked, ${pack.entryCount} files)`,
);
log(
  `  runtime dependencies   ${String(runtimeDeps).padEnd(12)} target ${TARGETS.runtimeDeps}             ${verdict(runtimeDeps === TARGETS.runtimeDeps)}   (declared ${declaredDeps.length}, required peers ${requiredPeers.length}, installed beside it ${installedOthers.length})`,
);
log(`  npm install <tarball>  ${installSeconds.toFixed(1)} s into an empty project`);
const paired = stats(times.cli.map((t, i) => t / times.baseline[i])).median;
log(`  (median of the ${RUNS} paired ratios, each CLI run against the baseline run right after it: ${paired.toFixed(2)}×)`);
log();
log('Every other combination, one run each (git on):');
for (const c of combos) {
  const label = `${c.lang} × ${c.db}`.padEnd(18);
  log(c.error ? `  ${label} FAILED: ${c.error}` : `  ${label} ${sec(c.seconds)}   ${c.files} files`);
}
log();
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const listPackages = (pkgs) => {
  const sorted = Object.entries(pkgs).sort((x, y) => y[1] - x[1]);
  const rest = sorted.slice(6);
  const shown = sorted.slice(0, 6).map(([p, b]) => `${p === 'create-backend-starter' ? 'our code' : p} ${kb(b)}`);
  if (rest.length) shown.push(`${rest.length} more ${kb(rest.reduce((n, [, b]) => n + b, 0))}`);
  return shown.join(', ');
};
log(`A plain run loads ${kb(bytesOf(everyRun))} of JavaScript in ${everyRun.size} files: ${listPackages(loaded.everyRun)}`);
log(`Loaded only when needed, ${kb(bytesOf(onDemand))}: ${listPackages(loaded.onDemand) || 'nothing'}`);
log();
log('What each import costs on its own (ms to import in a fresh node, median of 3; packages unbundled from node_modules):');
for (const i of imports) log(`  ${i.label.padEnd(20)} ${i.ms === null ? '   n/a' : i.ms.toFixed(0).padStart(6)} ms   ${i.note}`);

// --- helpers --------------------------------------------------------------------------
function npm(args, cwd) {
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) fail(`npm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function split(argv) {
  return [argv[0], argv.slice(1)];
}

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) fail(`${path.basename(command)} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r;
}

/** Wall time of one whole process, in seconds. A failed run aborts the benchmark, or throws. */
function timed(argv, { orThrow = false } = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status === 0) return seconds;
  if (orThrow) throw new Error(`exit ${r.status}, ${r.stderr.trim().split('\n').pop()}`);
  fail(`${argv.join(' ')} exited ${r.status}:\n${r.stderr}`);
}

function stats(values) {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

/** Milliseconds to import one module in a fresh process (resolved from the checkout). */
function importMs(specifier) {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  const ms = [0, 1, 2].map(() => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: repo, env, encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  });
  return ms.includes(null) ? null : stats(ms).median;
}

function peakRssKB(argv) {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { cwd: work, env, encoding: 'utf8' });
  const m = r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  if (r.status !== 0 || !m) fail(`/usr/bin/time -v ${argv.join(' ')} failed:\n${r.stderr}`);
  return Number(m[1]);
}

/** Files under dir (not .git), relative, sorted. */
function walk(dir, prefix = '') {
  const out = [];
  for (const e of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== '.git') out.push(...walk(dir, rel));
    } else out.push(rel);
  }
  return out.sort();
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}
