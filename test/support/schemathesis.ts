/**
 * Property-based fuzzing of a running service from its own /openapi.json with
 * schemathesis (PyPI), bounded, and its result in the same report shape as contract.ts:
 * 0 server errors, 0 responses that violate the document.
 *
 * schemathesis is installed once into a per-user cached venv, keyed by its version (the
 * one place it is pinned); when PyPI cannot be reached, schemathesisUnavailable() says
 * so and the caller skips with that reason (test/skip.ts), never passes.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { run } from './processes.js';
import { CheckFailure, Checks, type CheckReport } from './report.js';

/** https://pypi.org/project/schemathesis/ — the CLI flags below are those of 4.x. */
export const SCHEMATHESIS_VERSION = '4.32.5';

const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'create-backend-starter');
const venvDir = path.join(cacheRoot, `schemathesis-${SCHEMATHESIS_VERSION}`);
const venvPython = path.join(venvDir, 'bin', 'python');
const STAMP = path.join(venvDir, '.installed');
// A venv survives being renamed when run as `bin/python -m/-c` (only its scripts' #! lines name the old path).
const ST = ['-c', 'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "st"; sys.exit(schemathesis())'];

/** Failure classes (schemathesis' `type`) that mean a 5xx, and those that mean the response contradicts the document. */
const SERVER_ERRORS = new Set(['ServerError', 'ContentTypeServerError']);
const SCHEMA_VIOLATIONS = new Set(['JsonSchemaError', 'MalformedJson', 'ContentDeserializationError', 'MissingContentType', 'UndefinedContentType', 'MalformedMediaType']);

let ensured: Promise<string | null> | undefined;

/** Installs schemathesis into the cached venv if needed; returns why it cannot run here, or null. */
export function schemathesisUnavailable(): Promise<string | null> {
  ensured ??= (async () => {
    if (existsSync(STAMP) && existsSync(venvPython)) return null;
    const python = process.env.CBS_PYTHON || 'python3';
    await mkdir(cacheRoot, { recursive: true });
    // Built aside and renamed into place, so concurrent workers never see half an install.
    const tmp = await mkdtemp(path.join(cacheRoot, `schemathesis-${SCHEMATHESIS_VERSION}.tmp-`));
    try {
      const venv = await run(python, ['-m', 'venv', tmp], { cwd: cacheRoot, timeoutMs: 120_000 });
      if (venv.code !== 0) return `\`${python} -m venv\` failed (${venv.stderr.trim().split('\n').at(-1) ?? venv.code}): schemathesis needs Python 3.9+ with venv`;
      const pip = await run(path.join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], {
        cwd: cacheRoot,
        timeoutMs: 10 * 60_000,
      });
      if (pip.code !== 0 || pip.timedOut) {
        return `could not install schemathesis ${SCHEMATHESIS_VERSION} from PyPI (is it reachable?): ${pip.timedOut ? 'pip timed out' : pip.stderr.trim().split('\n').slice(-3).join(' ')}`;
      }
      await writeFile(path.join(tmp, '.installed'), `${SCHEMATHESIS_VERSION}\n`);
      try {
        await rename(tmp, venvDir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Another worker finished first; its copy is as good as ours.
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      }
      return existsSync(STAMP) ? null : `schemathesis was installed but ${STAMP} is missing`;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  })();
  return ensured;
}

export interface SchemathesisOptions {
  log?: (line: string) => void;
  /** Test cases per operation and phase; default 25. */
  maxExamples?: number;
  /** Fixed by default, so a run is reproducible; a failure prints the seed either way. */
  seed?: number;
  /** The whole run is killed after this; default 5 min. */
  timeoutMs?: number;
}

interface JsonReport {
  exit_code: number;
  seed: number;
  operations: { total: number; tested: number; errored: number } | null;
  test_cases: { generated: number; with_failures: number };
  failures: { type: string; title: string; operations: string[] }[];
  errors: unknown[] | null;
}

/**
 * Runs schemathesis against `baseUrl`/openapi.json with the checks not_a_server_error and
 * response_schema_conformance, over its coverage (boundary and negative values) and
 * fuzzing phases. An item created beforehand is given to GET and PUT /items/{id}, so those
 * are exercised on an item that exists, not only on 404s.
 */
export async function runSchemathesis(baseUrl: string, opts: SchemathesisOptions = {}): Promise<CheckReport & { summary?: JsonReport }> {
  const checks = new Checks(opts.log);
  const unavailable = await schemathesisUnavailable();
  if (unavailable) throw new Error(`schemathesis cannot run: ${unavailable} (call schemathesisUnavailable() first and skip with its reason)`);
  const work = await mkdtemp(path.join(tmpdir(), 'cbs-schemathesis-'));
  try {
    const config = path.join(work, 'schemathesis.toml');
    await writeFile(config, await fixtureConfig(baseUrl));
    const reportPath = path.join(work, 'report.json');
    const seed = opts.seed ?? 17;
    const args = [
      ...ST,
      '--config-file',
      config,
      'run',
      `${baseUrl}/openapi.json`,
      '--url',
      baseUrl,
      '--checks',
      'not_a_server_error,response_schema_conformance',
      '--phases',
      'coverage,fuzzing',
      '--max-examples',
      String(opts.maxExamples ?? 25),
      '--seed',
      String(seed),
      '--generation-database',
      'none',
      '--request-timeout',
      '10',
      '--no-color',
      '--report',
      'json',
      '--report-json-path',
      reportPath,
    ];
    const result = await run(venvPython, args, { cwd: work, timeoutMs: opts.timeoutMs ?? 5 * 60_000, env: { NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    const output = result.stdout + result.stderr;
    let report: JsonReport | undefined;
    try {
      report = JSON.parse(await readFile(reportPath, 'utf8')) as JsonReport;
    } catch {
      report = undefined;
    }
    const command = `st run ${baseUrl}/openapi.json --checks not_a_server_error,response_schema_conformance --phases coverage,fuzzing --max-examples ${opts.maxExamples ?? 25} --seed ${seed}`;

    const completed = await checks.check('schemathesis ran to completion against /openapi.json and tested every operation', async () => {
      if (result.timedOut) throw new CheckFailure(`expected schemathesis to finish within ${opts.timeoutMs ?? 300_000} ms; it was killed\n  command: ${command}\n  output ended with:\n${tailOf(output, 30)}`);
      if (report === undefined) throw new CheckFailure(`expected a JSON report from schemathesis\n  command: ${command}\n  exit code ${result.code}; output ended with:\n${tailOf(output, 30)}`);
      // operations is null when the document could not be loaded at all.
      const { total, tested, errored } = report.operations ?? { total: 0, tested: 0, errored: 0 };
      const errors = report.errors ?? [];
      if (errors.length > 0 || errored > 0 || tested === 0 || tested < total) {
        throw new CheckFailure(`expected all operations of ${baseUrl}/openapi.json tested without errors, got ${tested} of ${total} tested, ${errored} errored\n  command: ${command}\n  errors: ${JSON.stringify(errors).slice(0, 600)}\n  output ended with:\n${tailOf(output, 30)}`);
      }
    });
    const failuresOf = (kinds: Set<string>) => (report?.failures ?? []).filter((f) => kinds.has(f.type));
    const explain = (list: JsonReport['failures']): string =>
      `  got: ${list.map((f) => `${f.title} in ${f.operations.join(', ')}`).join('; ')}\n  command: ${command}\n  schemathesis says:\n${failureSection(output)}`;
    await checks.check('schemathesis: no 5xx for any generated request (not_a_server_error)', async () => {
      if (!completed || report === undefined) throw new CheckFailure('not run: schemathesis did not complete a run (see the first check)');
      const found = failuresOf(SERVER_ERRORS);
      if (found.length > 0) throw new CheckFailure(`expected 0 server errors\n${explain(found)}`);
    });
    await checks.check('schemathesis: every response conforms to the OpenAPI document (response_schema_conformance)', async () => {
      if (!completed || report === undefined) throw new CheckFailure('not run: schemathesis did not complete a run (see the first check)');
      const found = failuresOf(SCHEMA_VIOLATIONS);
      if (found.length > 0) throw new CheckFailure(`expected 0 schema violations\n${explain(found)}`);
    });
    await checks.check('schemathesis: no other failure', async () => {
      if (!completed || report === undefined) throw new CheckFailure('not run: schemathesis did not complete a run (see the first check)');
      const found = (report.failures ?? []).filter((f) => !SERVER_ERRORS.has(f.type) && !SCHEMA_VIOLATIONS.has(f.type));
      if (found.length > 0) throw new CheckFailure(`expected no failures\n${explain(found)}`);
    });
    return { ...checks.report, ...(report === undefined ? {} : { summary: report }) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A config that points GET and PUT /items/{id} at an item that exists (best effort: without one they still run, on 404s). */
async function fixtureConfig(baseUrl: string): Promise<string> {
  let id: unknown;
  try {
    const response = await fetch(`${baseUrl}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'schemathesis fixture' }),
      signal: AbortSignal.timeout(10_000),
    });
    id = ((await response.json()) as { id?: unknown }).id;
  } catch {
    id = undefined;
  }
  if (typeof id !== 'number' && typeof id !== 'string') return '';
  return ['GET', 'PUT']
    .map((method) => `[[operations]]\ninclude-name = "${method} /items/{id}"\nparameters = { "path.id" = ${JSON.stringify(String(id))} }\n`)
    .join('\n');
}

function tailOf(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
}

/** The FAILURES section of schemathesis' output (with its curl reproductions), shortened. */
function failureSection(output: string): string {
  const start = output.indexOf('= FAILURES =');
  if (start === -1) return tailOf(output, 30);
  const end = output.search(/={3,} (WARNINGS|SUMMARY) ={3,}/);
  const section = output.slice(output.indexOf('\n', start) + 1, end > start ? end : undefined);
  const lines = section.trimEnd().split('\n');
  return (lines.length > 60 ? [...lines.slice(0, 60), `… (${lines.length - 60} more lines)`] : lines).map((line) => `    ${line}`).join('\n');
}
