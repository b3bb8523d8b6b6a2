// `npm run bench:services`: how each generated service holds under load, measured on
// this machine in one run, so the ratios between combinations mean something.
//
// For every combination in the registries (never a hand-written list): generate it with
// the built CLI, install it and create a throwaway database the way the e2e suite does
// (test/e2e/runtimes, test/support/databases.ts), boot it with `make start`, then drive
// mixed traffic (test/support/load.ts) for a few seconds at 50 and at 300 connections,
// loopback only; then start the server command itself and send SIGTERM with 20 POSTs in
// flight. Prints one table: requests/s, ratio to the fastest, p99, errors, timeouts,
// SIGTERM drops and exit code, marked against issue 17's targets.
//
//   node bench/services.mjs [--only node,python-flask,ruby-postgres,php-symfony-mysql] [--duration 3] [--sigterm-runs 1]
//
// The harness is TypeScript (it is shared with the tests); Node 20 cannot run that, so it
// is bundled first with esbuild (a devDependency already used by scripts/bundle.mjs).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    duration: { type: 'string', default: '3' },
    'sigterm-runs': { type: 'string', default: '1' },
  },
});
const DURATION = Number(flags.duration);
const SIGTERM_RUNS = Number(flags['sigterm-runs']);
const ONLY = flags.only ? flags.only.split(',').map((s) => s.trim()) : undefined;
const TARGETS = { ratio: 1 / 3, p99Ms: 250 };

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(repo, 'dist/src/cli.js'))) fail('the CLI is not built: run `npm run bench:services` (it builds first).');

const log = (line = '') => process.stdout.write(`${line}\n`);
const progress = (line) => process.stderr.write(`· ${line}\n`);
function fail(message) {
  process.stderr.write(`bench:services: ${message}\n`);
  process.exit(1);
}

// --- the shared harness, bundled ------------------------------------------------------
const cacheDir = path.join(repo, 'node_modules/.cache/create-backend-starter');
mkdirSync(cacheDir, { recursive: true });
const harnessFile = path.join(cacheDir, 'bench-services-harness.mjs');
await build({
  stdin: {
    contents: [
      "export { runtimes } from './test/e2e/runtimes/index.ts';",
      "export { combinations, languages } from './src/languages/index.ts';",
      "export { databases } from './src/databases/index.ts';",
      "export { createDatabase, probeDatabase } from './test/support/databases.ts';",
      "export { startFerretdb, FERRETDB_LABEL } from './test/support/ferretdb.ts';",
      "export { freePort, runOk, startService, stopAll } from './test/support/processes.ts';",
      "export { runLoad, describeLoad, checkSigtermInFlight } from './test/support/load.ts';",
    ].join('\n'),
    resolveDir: repo,
    sourcefile: 'bench-services-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: harnessFile,
  logLevel: 'warning',
});
const h = await import(pathToFileURL(harnessFile).href);

// --- what to run ------------------------------------------------------------------------
// The registries' whole matrix, frameworks included (the one the e2e suite runs).
const combinations = h.combinations().map(({ lang, framework, db }) => ({ lang, framework, db, id: `${lang}-${framework}-${db}` }));
const selected = combinations.filter(
  ({ lang, framework, db, id }) => !ONLY || ONLY.some((o) => [lang, `${lang}-${framework}`, `${lang}-${db}`, id].includes(o)),
);
if (selected.length === 0) fail(`--only ${flags.only} matches none of ${combinations.map((c) => c.id).join(', ')}`);

const work = await mkdtemp(path.join(os.tmpdir(), 'cbs-bench-services-'));
let ferretdb;
const cleanUp = async () => {
  await h.stopAll().catch(() => undefined);
  await ferretdb?.stop().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));

if (selected.some((c) => c.db === 'mongo') && !process.env.MONGODB_URL) {
  try {
    progress('starting FerretDB for the MongoDB combinations');
    ferretdb = await h.startFerretdb();
    process.env.MONGODB_URL = ferretdb.url;
    process.env.CBS_MONGO_SERVER = h.FERRETDB_LABEL;
  } catch (error) {
    process.env.CBS_MONGO_UNAVAILABLE = `could not build or start FerretDB: ${error.message}`;
  }
}

const rows = [];
try {
  for (const combo of selected) rows.push(await benchOne(combo));
} finally {
  await cleanUp();
}
printTable(rows);

async function benchOne({ lang, framework, db, id }) {
  const runtime = h.runtimes[lang];
  const dbLabel = db === 'mongo' && process.env.CBS_MONGO_SERVER ? process.env.CBS_MONGO_SERVER : h.databases[db].label;
  const title = `${h.languages[lang].label} (${h.languages[lang].frameworks[framework]?.name ?? framework}) × ${dbLabel}`;
  const availability = await h.probeDatabase(db);
  const reason =
    (await runtime.unavailable()) ??
    (await runtime.unavailableFor?.(framework)) ??
    (availability.available ? null : availability.reason);
  if (reason) {
    progress(`${title}: skipped (${reason})`);
    return { title, skipped: reason };
  }
  const dir = path.join(work, id);
  const database = await h.createDatabase(db, `bench_${lang}_${framework}_${db}`);
  // Only what this combination started: stopAll() would also stop FerretDB.
  const started = [];
  try {
    progress(`${title}: generate and install`);
    const env = { ...(await runtime.env()), DATABASE_URL: database.url, TEST_DATABASE_URL: database.url, LOG_LEVEL: 'warn', PORT: undefined };
    const makeVars = Object.entries(runtime.makeVars).map(([k, v]) => `${k}=${v}`);
    const wrap = (command, args) => (runtime.wrap ? runtime.wrap(command, args, dir) : Promise.resolve({ command, args }));
    await h.runOk(process.execPath, [path.join(repo, 'bin/create-backend-starter.js'), dir, '--lang', lang, '--framework', framework, '--db', db, '--yes', '--no-git'], {
      cwd: work,
      env: { CI: '' },
      timeoutMs: 60_000,
    });
    const fullEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
    await runtime.install(dir, fullEnv);
    if (h.databases[db].family === 'sql') {
      const migrate = await wrap('make', ['--no-print-directory', 'migrate', ...makeVars]);
      await h.runOk(migrate.command, migrate.args, { cwd: dir, env, timeoutMs: 5 * 60_000 });
    }

    // Load through `make start`, as a user runs it.
    const port = await h.freePort();
    const start = await wrap('make', ['--no-print-directory', 'start', ...makeVars]);
    const service = h.startService(start.command, start.args, { cwd: dir, env: { ...env, PORT: String(port) } });
    started.push(service);
    const base = `http://127.0.0.1:${port}`;
    await service.waitForHttp(`${base}/health`, { timeoutMs: 120_000, expectStatus: [200] });
    progress(`${title}: warm-up, then ${DURATION} s at 50 and at 300 connections`);
    await h.runLoad(base, { connections: 10, durationSeconds: 1 });
    const at50 = await h.runLoad(base, { connections: 50, durationSeconds: DURATION });
    progress(`  ${h.describeLoad(at50)}`);
    const at300 = await h.runLoad(base, { connections: 300, durationSeconds: DURATION });
    progress(`  ${h.describeLoad(at300)}`);
    await service.stop('SIGTERM', 15_000);

    // SIGTERM on the server command itself (the last line `make start` runs), so its exit code is visible.
    const dry = await wrap('make', ['-n', '--no-print-directory', 'start', ...makeVars]);
    const serverCommand = (await h.runOk(dry.command, dry.args, { cwd: dir, env, timeoutMs: 30_000 })).stdout.trim().split('\n').at(-1);
    const sigterm = [];
    for (let i = 0; i < SIGTERM_RUNS; i++) {
      const sigPort = await h.freePort();
      const direct = await wrap('sh', ['-c', `exec ${serverCommand}`]);
      const server = h.startService(direct.command, direct.args, { cwd: dir, env: { ...env, PORT: String(sigPort) } });
      started.push(server);
      await server.waitForHttp(`http://127.0.0.1:${sigPort}/health`, { timeoutMs: 120_000, expectStatus: [200] });
      const result = await h.checkSigtermInFlight(server, `http://127.0.0.1:${sigPort}`);
      sigterm.push(result.summary);
      progress(`  SIGTERM run ${i + 1}: ${result.summary.answered}/${result.summary.requests} answered, exit ${result.summary.code ?? result.summary.signal}`);
    }
    return { title, at50, at300, sigterm };
  } catch (error) {
    progress(`${title}: FAILED: ${error.message.split('\n').slice(0, 20).join('\n')}`);
    return { title, failed: error.message.split('\n')[0] };
  } finally {
    await Promise.all(started.map((service) => service.stop('SIGTERM', 15_000).catch(() => undefined)));
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(rows) {
  const measured = rows.filter((r) => r.at50);
  const fastest = Math.max(0, ...measured.map((r) => r.at50.rps));
  const mark = (ok) => (ok ? '' : ' ✗');
  log();
  log(`Generated services under load (${new Date().toISOString().slice(0, 10)}, ${DURATION} s per level, Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})`);
  log();
  log('| combination | req/s @50 | × fastest | p99 @50 | errors @50 | req/s @300 | p99 @300 | errors @300 | timeouts @300 | SIGTERM answered | SIGTERM exit |');
  log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.skipped || r.failed) {
      log(`| ${r.title} | ${r.skipped ? `skipped: ${r.skipped}` : `failed: ${r.failed}`} | | | | | | | | | |`);
      continue;
    }
    const ratio = fastest > 0 ? r.at50.rps / fastest : 0;
    const answered = r.sigterm.reduce((n, s) => n + s.answered, 0);
    const sent = r.sigterm.reduce((n, s) => n + s.requests, 0);
    const exits = r.sigterm.map((s) => (s.code === null ? s.signal : s.code));
    const cleanExits = r.sigterm.filter((s) => s.code === 0 && s.exitedCleanly).length;
    log(
      `| ${r.title} | ${Math.round(r.at50.rps)} | ${ratio.toFixed(2)}${mark(ratio >= TARGETS.ratio)} | ${r.at50.p99Ms} ms${mark(r.at50.p99Ms < TARGETS.p99Ms)} | ${r.at50.errors + r.at50.timeouts}${mark(r.at50.errors + r.at50.timeouts === 0)} | ${Math.round(r.at300.rps)} | ${r.at300.p99Ms} ms | ${r.at300.errors} | ${r.at300.timeouts}${mark(r.at300.timeouts === 0)} | ${answered}/${sent}${mark(answered === sent)} | ${[...new Set(exits)].join(', ')} (${cleanExits}/${r.sigterm.length} clean)${mark(cleanExits === r.sigterm.length)} |`,
    );
  }
  log();
  log(`Targets (issue 17): at 50 connections ≥ ⅓ of the fastest req/s, p99 < ${TARGETS.p99Ms} ms, 0 errors; at 300 connections 0 timeouts; SIGTERM with 20 POSTs in flight: 20/20 answered and exit 0. ✗ marks a miss.`);
  log('Errors are connection errors plus non-2xx responses; timeouts are requests unanswered after 10 s.');
}
