import parse from 'yargs-parser';
import { isPositional, options } from './schema.js';

const flags = options.filter((o) => !isPositional(o));
const byFlag = new Map(flags.map((o) => [o.flag, o]));

/**
 * The common command line, read with yargs' own tokenizer (yargs-parser) and the option
 * schema, without loading yargs itself (about 70 ms of a 0.2 s run). Anything yargs has to
 * answer — help, version, unknown or repeated flags, invalid choices, extra positionals,
 * `--` — returns undefined, and the CLI hands the whole command line to yargs, so every
 * message the user sees stays yargs'. test/unit/fast-args.test.ts holds the two to the
 * same result.
 */
export function parseCommonArgs(argv: string[]): Record<string, unknown> | undefined {
  const { argv: args, error } = parse.detailed(argv, {
    boolean: flags.filter((o) => o.type === 'boolean').map((o) => o.flag),
    string: flags.filter((o) => o.type !== 'boolean').map((o) => o.flag),
    alias: Object.fromEntries(flags.filter((o) => o.alias).map((o) => [o.flag, [o.alias!]])),
    configuration: {
      'camel-case-expansion': false,
      'strip-aliased': true,
      'parse-positional-numbers': false,
      'halt-at-non-option': false,
    },
  });
  if (error) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === '_') continue;
    const o = byFlag.get(key);
    if (!o || Array.isArray(value)) return undefined;
    if (o.type === 'choice' && !(o.choices as readonly unknown[]).includes(value)) return undefined;
    out[key] = value;
  }
  const positionals = args._;
  if (positionals.length > 1) return undefined;
  if (positionals.length === 1) out.directory = String(positionals[0]);
  return out;
}
