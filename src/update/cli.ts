import parse from 'yargs-parser';
import { UsageError } from '../options/resolve.js';
import { flagUsage, optionByKey, type BooleanOption, type OptionSpec } from '../options/schema.js';
import { updatableAnswers, updateProject, type UpdateOptions, type UpdateResult } from './update.js';

export interface UpdateIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Update's own flag; everything else comes from the generator's option schema. */
const commitOption: BooleanOption = {
  key: 'commit',
  flag: 'commit',
  type: 'boolean',
  answer: false,
  default: false,
  describe: 'Commit the updated files when there is no conflict (otherwise nothing is committed)',
};

/** What the shared options mean for update, where that differs from generating. */
const updateDescribe: Partial<Record<string, string>> = {
  directory: 'The generated project to update',
  lang: 'Must match the recorded language (changing it is refused)',
  db: 'Must match the recorded database (changing it is refused)',
  name: 'Must match the recorded project name (changing it is refused)',
  force: 'Run on a working tree with uncommitted changes, or outside git',
  dryRun: 'Print what would change; write nothing',
};

const options: OptionSpec[] = [
  ...(['directory', ...updatableAnswers, 'force', 'dryRun', 'json'] as const).map((k) => {
    const o = optionByKey(k);
    return { ...o, describe: updateDescribe[k] ?? o.describe } as OptionSpec;
  }),
  commitOption,
];
const flags = options.filter((o) => o.key !== 'directory');

function help(): string {
  const rows = flags.map((o) => [`  ${o.alias ? `-${o.alias}, ` : ''}${flagUsage(o)}`, o.describe]);
  const width = Math.max(...rows.map(([a]) => a!.length)) + 2;
  return [
    'create-backend-starter update [directory] [options]',
    '',
    'Bring a generated project to this generator version, or to changed answers, by a',
    'three-way merge per file that keeps every line of yours. The directory defaults to ".".',
    '',
    'Options:',
    ...rows.map(([a, b]) => `${a!.padEnd(width)}${b}`),
    '  -h, --help'.padEnd(width) + 'Show this help',
    '',
    'Exit codes: 0 updated (or nothing to do), 1 conflicts left to resolve or a failure, 2 usage error.',
  ].join('\n');
}

function parseArgs(argv: string[]): (UpdateOptions & { json?: boolean }) | 'help' {
  const booleans = flags.filter((o) => o.type === 'boolean');
  for (const arg of argv) {
    const m = /^--?(?:no-)?([\w-]+)=(.*)$/.exec(arg);
    if (m && booleans.some((o) => o.flag === m[1]) && !['true', 'false'].includes(m[2] ?? '')) {
      throw new UsageError(`--${m[1]} takes no value; got ${JSON.stringify(arg)}`);
    }
  }
  const { argv: args, error } = parse.detailed(argv, {
    boolean: [...booleans.map((o) => o.flag), 'help'],
    string: flags.filter((o) => o.type !== 'boolean').map((o) => o.flag),
    alias: { ...Object.fromEntries(flags.filter((o) => o.alias).map((o) => [o.flag, [o.alias!]])), help: ['h'] },
    configuration: { 'camel-case-expansion': false, 'strip-aliased': true, 'parse-positional-numbers': false },
  });
  if (error) throw new UsageError(`${error.message}\nRun create-backend-starter update --help for usage.`);
  if (args.help) return 'help';
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === '_' || key === 'help') continue;
    const o = flags.find((f) => f.flag === key);
    if (!o) throw new UsageError(`unknown option --${key} for update. Run create-backend-starter update --help for usage.`);
    if (Array.isArray(value)) throw new UsageError(`--${key} was given more than once`);
    out[o.key] = value;
  }
  if (args._.length > 1) throw new UsageError(`update takes one directory; got ${args._.map(String).join(', ')}`);
  if (args._.length === 1) out.directory = String(args._[0]);
  return out as UpdateOptions & { json?: boolean };
}

const verb: Record<string, string> = {
  added: 'added',
  updated: 'updated',
  merged: 'merged',
  conflict: 'CONFLICT',
  removed: 'removed',
};

function answerChanges(r: UpdateResult): string[] {
  return (Object.keys(r.to.answers) as Array<keyof typeof r.to.answers>)
    .filter((k) => r.from.answers[k] !== r.to.answers[k])
    .map((k) => {
      const v = r.to.answers[k];
      return `${typeof v === 'boolean' ? `--${v ? '' : 'no-'}${k}` : `--${k} ${v}`} (was ${String(r.from.answers[k])})`;
    });
}

export function printUpdate(r: UpdateResult, out: NodeJS.WritableStream): void {
  const w = (s = '') => out.write(`${s}\n`);
  const versions =
    r.from.version === r.to.version ? `create-backend-starter ${r.to.version}` : `create-backend-starter ${r.from.version} → ${r.to.version}`;
  const nothing = r.changes.length === 0 && r.envAdded.length === 0;
  if (nothing) w(`Already up to date (${versions}): nothing ${r.dryRun ? 'would change' : 'changed'}.`);
  else w(`${r.dryRun ? 'Dry run: would update' : 'Updated'} ${r.directory} (${versions}):`);
  const answers = answerChanges(r);
  if (answers.length > 0) w(`  answers: ${answers.join(', ')}`);
  for (const c of r.changes) w(`  ${verb[c.action]!.padEnd(9)} ${c.path}${c.detail ? ` (${c.detail})` : ''}`);
  if (r.envAdded.length > 0) w(`  ${'appended'.padEnd(9)} .env: ${r.envAdded.join(', ')} (existing values kept)`);
  for (const k of r.kept) {
    const why = k.reason === 'deleted-by-you' ? 'you deleted it: it stays deleted' : 'no longer generated, but you changed it: it stays';
    w(`  ${'kept'.padEnd(9)} ${k.path} (${why})`);
  }
  for (const n of r.notes) w(`  note: ${n}`);
  if (r.dryRun) {
    if (r.conflicts.length > 0) w(`${r.conflicts.length} file(s) would conflict: ${r.conflicts.join(', ')}.`);
    w('Nothing was written.');
    return;
  }
  if (r.conflicts.length > 0) {
    w(`${r.conflicts.length} conflict(s) to resolve: edit the <<<<<<< ======= >>>>>>> markers in ${r.conflicts.join(', ')}, then commit.`);
  } else if (r.commit) {
    w(`Committed as ${r.commit.slice(0, 12)}.`);
  } else if (!nothing) {
    w('Review with git diff, then commit (or run update with --commit).');
  }
}

/** `create-backend-starter update …`: returns the exit code. */
export async function updateMain(argv: string[], io: UpdateIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') {
      io.stdout.write(`${help()}\n`);
      return 0;
    }
    const { json: _json, ...options } = parsed;
    const result = await updateProject(options, { info: (line) => (json ? io.stderr : io.stdout).write(`${line}\n`) });
    if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else printUpdate(result, io.stdout);
    return result.ok ? 0 : 1;
  } catch (err) {
    const e = err as Error & { exitCode?: number };
    const code = err instanceof UsageError ? 2 : 1;
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: e.message })}\n`);
    io.stderr.write(`create-backend-starter update: ${e.message}\n`);
    if (code === 1 && process.env.DEBUG) io.stderr.write(`${e.stack}\n`);
    return code;
  }
}
