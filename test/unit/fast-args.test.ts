import { describe, expect, it } from 'vitest';
import { parseWithYargs, wantsJson } from '../../src/cli.js';
import { parseCommonArgs } from '../../src/options/fast-args.js';
import { optionSchema, type OptionSpec } from '../../src/options/schema.js';

const schema = optionSchema as readonly OptionSpec[];
const sink = { write: () => true } as unknown as NodeJS.WritableStream;

/** What the CLI reads from yargs' result: the schema's flags and the positional. */
async function viaYargs(argv: string[]): Promise<Record<string, unknown>> {
  const args = await parseWithYargs(argv, sink);
  if (!args) throw new Error('yargs printed help or version');
  const out: Record<string, unknown> = {};
  for (const o of schema) {
    const key = o.type === 'string' && o.positional ? 'directory' : o.flag;
    if (args[key] !== undefined) out[key] = args[key];
  }
  return out;
}

describe('the fast path reads common command lines exactly as yargs does', () => {
  it.each([
    [[]],
    [['my-api']],
    [['--yes', 'my-api']],
    [['my-api', '--lang', 'python', '--db', 'mysql']],
    [['-l', 'ruby', '-d', 'mongo', '-y', 'svc']],
    [['svc', '--no-git', '--no-docker', '--install', '--ci', 'gitlab']],
    [['svc', '--name', 'my-service', '--force', '--dry-run', '--json']],
    [['dir with spaces', '--yes']],
    [['007', '--yes']],
    [['--lang=php', '--db=postgres', 'x']],
    [['x', '--git', 'false']],
    [['x', '--name', '']],
    [['../up', '--docker=false', '--ci=none']],
  ])('%j', async (argv) => {
    const fast = parseCommonArgs(argv);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaYargs(argv));
  });
});

describe('anything yargs must answer is handed over', () => {
  it.each([
    [['--help']],
    [['-h']],
    [['--version']],
    [['-v']],
    [['x', '--db', 'sqlite']],
    [['x', '--lang']],
    [['x', '--colour']],
    [['x', '-z']],
    [['a', 'b']],
    [['x', '--lang', 'node', '--lang', 'php']],
    [['x', '--', '--yes']],
  ])('%j', (argv) => {
    expect(parseCommonArgs(argv)).toBeUndefined();
  });
});

describe('--json is read before parsing, the way the parsers read it', () => {
  it.each([
    [['--json'], true],
    [['--json=true'], true],
    [['--json', '--no-json'], false],
    [['--json', '--json=false'], false],
    [['x', '--', '--json'], false],
    [['--json', '--', 'x'], true],
    [[], false],
  ])('%j → %s', (argv, json) => {
    expect(wantsJson(argv)).toBe(json);
  });
});
