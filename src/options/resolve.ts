import path from 'node:path';
import { databaseIds, type DatabaseId } from '../databases/index.js';
import { frameworkSpec, languages, type FrameworkId, type LanguageId, type LanguageSpec } from '../languages/index.js';
import type { GenerateOptions } from '../plan/types.js';
import { show } from '../write/display.js';
import { checkName, nameFromDirectory } from './names.js';
import {
  choicesOf,
  defaultFor,
  flagUsage,
  isPositional,
  optionByKey,
  options,
  type OptionKey,
  type OptionSpec,
} from './schema.js';

/** A mistake in what the user asked for: exit code 2, and the message says how to fix it. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

export type RawAnswers = Partial<Record<OptionKey, unknown>>;

/**
 * Check a single value against its option; returns the typed value or throws UsageError.
 * A dependent choice is checked against the choices for the answers given so far.
 */
export function validateValue(o: OptionSpec, value: unknown, answers: RawAnswers = {}): string | boolean {
  if (o.type === 'boolean') {
    if (typeof value === 'boolean') return value;
    throw new UsageError(`--${o.flag} takes no value (use --no-${o.flag} to turn it off)`);
  }
  if (typeof value !== 'string') {
    throw new UsageError(`--${o.flag} needs a value, e.g. ${exampleFlag(o)}`);
  }
  if (o.type === 'choice' && !o.choices.includes(value)) {
    throw new UsageError(
      `invalid value for --${o.flag}: ${JSON.stringify(value)}. Valid choices: ${o.choices.join(', ')}`,
    );
  }
  if (o.type === 'dependent-choice') {
    const choices = choicesOf(o, answers);
    if (!choices.includes(value)) {
      const parent = answers[o.dependsOn];
      throw new UsageError(
        `invalid value for --${o.flag}: ${JSON.stringify(value)}` +
          (typeof parent === 'string' ? ` with --${o.dependsOn} ${parent}` : '') +
          `. Valid choices: ${choices.join(', ')}`,
      );
    }
  }
  return value;
}

/** Required answers neither given nor defaultable (no `--yes`): what a non-interactive run lacks. */
export function missingAnswers(raw: RawAnswers): OptionSpec[] {
  return options.filter((o) => o.required && raw[o.key as OptionKey] === undefined);
}

/** The full command a user can copy when a non-interactive run lacks answers. */
export function exampleCommand(raw: RawAnswers): string {
  const parts = ['npx create-backend-starter'];
  for (const o of options) {
    if (!o.answer || !o.required) continue;
    const v = raw[o.key as OptionKey] ?? defaultFor(o, raw);
    parts.push(isPositional(o) ? String(v) : `--${o.flag} ${String(v)}`);
  }
  parts.push('--yes');
  return parts.join(' ');
}

export function missingAnswersError(raw: RawAnswers): UsageError {
  const missing = missingAnswers(raw);
  return new UsageError(
    `missing ${missing.map(flagUsage).join(', ')} and no terminal to ask in.\n` +
      `Give them as flags, or add --yes to take the defaults. For example:\n  ${exampleCommand(raw)}`,
  );
}

/**
 * Turn raw answers (flags, prompts, library arguments) into complete, valid options.
 * Anything still missing takes its default: callers decide beforehand whether that
 * is allowed (`--yes`) or an error (no terminal).
 */
export function resolveOptions(raw: RawAnswers): GenerateOptions {
  const known = new Set<string>(options.map((o) => o.key));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw new UsageError(`unknown option ${JSON.stringify(key)}`);
  }
  // Answers already resolved, defaults included: what a dependent choice is checked against.
  const resolved: RawAnswers = {};
  const value = <T extends string | boolean>(key: OptionKey): T => {
    const o = optionByKey(key);
    const given = raw[key];
    const v = given === undefined ? defaultFor(o, resolved) : validateValue(o, given, resolved);
    resolved[key] = v;
    return v as T;
  };
  const directory = value<string>('directory');
  checkDirectory(directory);

  let name: string;
  const givenName = raw.name;
  if (givenName !== undefined && givenName !== '') {
    const check = checkName(String(validateValue(optionByKey('name'), givenName)));
    if (!check.ok) throw new UsageError(check.reason);
    name = check.name;
  } else {
    const check = nameFromDirectory(path.basename(path.resolve(directory)));
    if (!check.ok) throw new UsageError(check.reason);
    name = check.name;
  }

  const lang = value<LanguageId>('lang');
  const spec: LanguageSpec = languages[lang];
  if (spec.reservedNames?.includes(name)) {
    throw new UsageError(
      `the project name ${JSON.stringify(name)} cannot be used with ${spec.label}: it would clash with a reserved word or core name there. Choose another with --name, e.g. --name ${name}-service`,
    );
  }

  const framework = value<FrameworkId>('framework');
  const db = value<DatabaseId>('db');
  const refused = frameworkSpec(lang, framework)?.refuses?.[db];
  if (refused) {
    const works = databaseIds.filter((d) => !frameworkSpec(lang, framework)?.refuses?.[d]);
    throw new UsageError(
      `--framework ${framework} cannot be used with --db ${db}: ${refused}. Choose --db ${works.join(', --db ')}, or another framework`,
    );
  }

  return {
    directory,
    lang,
    framework,
    db,
    name,
    ci: value('ci'),
    docker: value('docker'),
    kubernetes: value('kubernetes'),
    git: value('git'),
    install: value('install'),
    force: value('force'),
    dryRun: value('dryRun'),
  };
}

/** Linux limits: a name (one path component) and a whole path, in bytes. */
const NAME_MAX = 255;
// Room under the target for the project's own deepest path and the staging folder.
const PATH_MAX = 4095 - 128;

/**
 * What the file system would refuse, refused first as a usage error (exit 2) with a
 * short echo: a 1 MB argument must not come back as 1 MB of error message.
 */
export function checkDirectory(directory: string): void {
  if (directory.trim() === '') {
    throw new UsageError('the target directory must not be empty: give the folder to create, e.g. create-backend-starter my-api');
  }
  if (directory.includes('\0')) throw new UsageError(`the target directory ${show(directory, 60)} contains a NUL byte; choose another name`);
  // Node decodes argv as UTF-8 and turns invalid bytes into U+FFFD: the folder would
  // get another name than the one given.
  if (directory.includes('\uFFFD')) {
    throw new UsageError(
      `the target directory ${show(directory, 60)} is not valid UTF-8 (shown with \uFFFD where the bytes are invalid); choose a name in UTF-8`,
    );
  }
  for (const part of path.resolve(directory).split(path.sep)) {
    const bytes = Buffer.byteLength(part);
    if (bytes > NAME_MAX) {
      throw new UsageError(
        `the folder name ${show(part, 60)} is too long (${bytes} bytes): file systems allow at most ${NAME_MAX} bytes per name. Choose a shorter directory name`,
      );
    }
  }
  const total = Buffer.byteLength(path.resolve(directory));
  if (total > PATH_MAX) {
    throw new UsageError(`the target path is ${total} bytes long; at most ${PATH_MAX} bytes are allowed. Choose a shorter directory path`);
  }
}

function exampleFlag(o: OptionSpec): string {
  if (o.type === 'choice') return `--${o.flag} ${o.choices[0]}`;
  if (o.type === 'dependent-choice') return `--${o.flag} ${choicesOf(o, {})[0]}`;
  return `--${o.flag} ${o.default || 'my-api'}`;
}
