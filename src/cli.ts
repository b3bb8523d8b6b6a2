import type { Options as YargsOptions } from 'yargs';
import { parseCommonArgs } from './options/fast-args.js';
import { generate, GenerationError, type GenerateResult } from './generate.js';
import { generatorVersion } from './meta.js';
import { safeJson, safeText, show } from './write/display.js';
import { WriteError } from './write/errors.js';
import { databases } from './databases/index.js';
import { languages } from './languages/index.js';
import {
  missingAnswers,
  missingAnswersError,
  resolveOptions,
  UsageError,
  type RawAnswers,
} from './options/resolve.js';
import { argName, defaultShown, isPositional, options as schema, questionsFor } from './options/schema.js';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  interactive: boolean;
}

/** yargs options, derived from the schema. No defaults here: "not given" must stay visible. */
function yargsOptions(): Record<string, YargsOptions> {
  const out: Record<string, YargsOptions> = {};
  for (const o of schema) {
    if (isPositional(o)) continue;
    const shown = defaultShown(o);
    out[o.flag] = {
      describe: o.describe,
      type: o.type === 'boolean' ? 'boolean' : 'string',
      ...(o.alias ? { alias: o.alias } : {}),
      ...(o.type === 'choice' ? { choices: [...o.choices] } : {}),
      ...(o.answer ? { defaultDescription: shown } : {}),
    };
  }
  return out;
}

async function parser(argv: string[]) {
  const { default: yargs } = await import('yargs');
  const positional = schema.find(isPositional);
  return yargs(argv)
    .scriptName('create-backend-starter')
    .usage('$0 [directory] [options]\n\nCreate a backend service with tests, Docker and CI that works on first run.')
    .command('$0 [directory]', false, (y) =>
      y.positional('directory', {
        type: 'string',
        describe: positional?.describe,
        defaultDescription: positional && defaultShown(positional),
      }),
    )
    .options(yargsOptions())
    .example('$0 my-api --lang python --db postgres', 'Python service on PostgreSQL')
    .example('$0 my-api -l node -d mysql --yes --no-git', 'defaults for the rest, no git')
    .example('$0 update my-api --ci both', 'update a generated project (more: update --help)')
    .epilogue(
      `Languages: ${Object.values(languages).map((l) => l.label).join(', ')}. ` +
        `Databases: ${Object.values(databases).map((d) => d.label).join(', ')}.\n` +
        'Exit codes: 0 success, 1 failure while generating, 2 usage error.',
    )
    .strict()
    .version(generatorVersion)
    .help()
    .alias('help', 'h')
    .alias('version', 'v')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(`${msg}\nRun create-backend-starter --help for usage.`);
    });
}

/**
 * Full yargs: help, version, and every usage error with yargs' own message. Returns
 * undefined when it printed help or the version.
 */
export async function parseWithYargs(
  argv: string[],
  stdout: NodeJS.WritableStream,
  json = false,
): Promise<Record<string, unknown> | undefined> {
  let helpOrVersion = false;
  const y = await parser(argv);
  const args = (await y.parseAsync(argv, {}, (err, _argv, output) => {
    if (output && !err) {
      helpOrVersion = true;
      // With --json, a program asked: one JSON object, like every other answer.
      const answer = output === generatorVersion ? { ok: true, version: output } : { ok: true, help: output };
      stdout.write(json ? `${safeJson(answer)}\n` : `${output}\n`);
    }
  })) as Record<string, unknown>;
  return helpOrVersion ? undefined : args;
}

/**
 * Whether the result is to be JSON, read before parsing so that usage errors are JSON
 * too: the last of --json, --json=true, --json=false, --no-json wins, and nothing after
 * `--` is a flag (`create-backend-starter -- --json` names a directory).
 */
export function wantsJson(argv: string[]): boolean {
  let json = false;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--json' || arg === '--json=true') json = true;
    else if (arg === '--no-json' || arg === '--json=false') json = false;
  }
  return json;
}

/** Map parsed flags to raw answers keyed by schema keys; reject repeated flags. */
function rawFromArgs(args: Record<string, unknown>): RawAnswers {
  const raw: Record<string, unknown> = {};
  for (const o of schema) {
    const value = args[argName(o)];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      throw new UsageError(
        `--${o.flag} was given more than once (${value.map((v) => show(String(v), 40)).join(', ')}); give it once, with the value you mean, e.g. --${o.flag} ${show(String(value.at(-1)), 40)}`,
      );
    }
    // `--name` at the end of a line (or `--name ""`) reads as empty: a forgotten value,
    // not a request to derive the name from the directory.
    if (o.type === 'string' && !isPositional(o) && value === '') {
      throw new UsageError(`--${o.flag} needs a value, e.g. --${o.flag} my-api (or leave --${o.flag} out: ${o.defaultNote ?? o.default})`);
    }
    raw[o.key] = value;
  }
  return raw;
}

/** yargs reads `--git=maybe` as false; a typo must not silently become an answer. */
function rejectBooleanValues(argv: string[]): void {
  for (const o of schema) {
    if (o.type !== 'boolean') continue;
    const names = [o.flag, ...(o.alias ? [o.alias] : [])];
    for (const arg of argv) {
      if (arg === '--') break;
      const m = /^--?(?:no-)?([\w-]+)=(.*)$/.exec(arg);
      if (m && names.includes(m[1] ?? '') && !['true', 'false'].includes(m[2] ?? '')) {
        throw new UsageError(`--${o.flag} takes no value (use --no-${o.flag} to turn it off); got ${JSON.stringify(arg)}`);
      }
    }
  }
}

async function ask(raw: RawAnswers, io: Io): Promise<RawAnswers> {
  const { select, input, confirm } = await import('./prompts.js');
  const context = { output: io.stderr as NodeJS.WriteStream };
  const out: Record<string, unknown> = { ...raw };
  for (const q of questionsFor(raw)) {
    if (q.when && !q.when(out)) continue;
    if (q.kind === 'select') {
      const choices = typeof q.choices === 'function' ? q.choices(out) : q.choices!;
      const choice = typeof q.default === 'function' ? q.default(out) : q.default;
      out[q.key] = await select({ message: q.message, default: choice, choices }, context);
    } else if (q.kind === 'confirm') {
      out[q.key] = await confirm({ message: q.message, default: q.default as boolean }, context);
    } else {
      const answer = await input({ message: q.message, default: q.default as string | undefined }, context);
      if (answer !== '') out[q.key] = answer;
    }
  }
  return out;
}

function printResult(r: GenerateResult, io: Io): void {
  const w = (s = '') => io.stdout.write(`${s}\n`);
  const what = `${languages[r.answers.lang].label} + ${databases[r.answers.db].label}`;
  if (r.dryRun) {
    w(`Dry run: would create ${r.answers.name} (${what}) in ${show(r.directory)}, ${r.files.length} files:`);
    for (const f of r.files) w(`  ${f}`);
    w('Nothing was written.');
    return;
  }
  w(`Created ${r.answers.name} (${what}) in ${show(r.directory)}: ${r.files.length} files.`);
  if (r.git?.status === 'committed') w('Initialised a git repository with a first commit.');
  for (const warning of r.warnings) io.stderr.write(`warning: ${safeText(warning)}\n`);
  w('');
  w('Next:');
  for (const step of r.nextSteps) w(`  ${safeText(step)}`);
}

/** Run the CLI; returns the exit code instead of exiting, so it can be tested in-process. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  // `update` is a subcommand; generate into a directory named update with ./update.
  if (argv[0] === 'update') return (await import('./update/cli.js')).updateMain(argv.slice(1), io);
  const json = wantsJson(argv);
  try {
    rejectBooleanValues(argv);
    const args = parseCommonArgs(argv) ?? (await parseWithYargs(argv, io.stdout, json));
    if (!args) return 0;

    const { yes, json: _json, ...answers } = rawFromArgs(args);
    let raw: RawAnswers = answers;
    // --json output is for programs: it never prompts, like a run without a terminal.
    const canAsk = io.interactive && !json;
    if (!yes && !canAsk && missingAnswers(raw).length > 0) throw missingAnswersError(raw);
    if (!yes && canAsk) raw = await ask(raw, io);

    const options = resolveOptions(raw);
    const result = await generate(options, {
      info: (line) => (json ? io.stderr : io.stdout).write(`${line}\n`),
      ownsProcess: true,
    });
    if (json) io.stdout.write(`${safeJson(result)}\n`);
    else printResult(result, io);
    return 0;
  } catch (err) {
    return reportError(err, json, io);
  }
}

function reportError(err: unknown, json: boolean, io: Io): number {
  const e = err as Error & { exitCode?: number; name?: string };
  if (e?.name === 'ExitPromptError') {
    io.stderr.write('\nCancelled: nothing was written.\n');
    return 130;
  }
  const code = err instanceof UsageError ? 2 : err instanceof WriteError ? err.exitCode : 1;
  const message = e?.message ?? String(err);
  if (json) io.stdout.write(`${safeJson({ ok: false, exitCode: code, error: message })}\n`);
  io.stderr.write(`create-backend-starter: ${safeText(message)}\n`);
  // Unexpected failures keep their stack for bug reports, behind DEBUG.
  const explained = err instanceof GenerationError || err instanceof WriteError;
  if (code === 1 && !explained && process.env.DEBUG) io.stderr.write(`${safeText(String(e?.stack))}\n`);
  return code;
}

function defaultIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY) && process.env.CI !== 'true',
  };
}

