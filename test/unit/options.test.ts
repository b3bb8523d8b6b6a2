import { describe, expect, it } from 'vitest';
import { databaseIds, databases } from '../../src/databases/index.js';
import { languageIds, languages } from '../../src/languages/index.js';
import { checkDirectory, exampleCommand, missingAnswers, resolveOptions, UsageError } from '../../src/options/resolve.js';
import { optionSchema, type OptionSpec } from '../../src/options/schema.js';

const schema = optionSchema as readonly OptionSpec[];
const byKey = (k: string) => schema.find((o) => o.key === k)!;

describe('option schema', () => {
  it('takes language and database choices from the registries', () => {
    const lang = byKey('lang');
    const db = byKey('db');
    expect(lang.type === 'choice' && lang.choices).toEqual(Object.keys(languages));
    expect(db.type === 'choice' && db.choices).toEqual(Object.keys(databases));
  });
  it('has unique flags and aliases, help text for all, a prompt for every answer', () => {
    const flags = schema.map((o) => o.flag);
    const aliases = schema.flatMap((o) => (o.alias ? [o.alias] : []));
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const o of schema) {
      expect(o.describe.length).toBeGreaterThan(5);
      if (o.answer) expect(o.prompt).toBeTruthy();
    }
  });
  it('defaults of choice options are among the choices', () => {
    for (const o of schema) if (o.type === 'choice') expect(o.choices).toContain(o.default);
  });
});

describe('resolveOptions', () => {
  it('fills defaults (as --yes does) and derives the name from the directory', () => {
    const o = resolveOptions({ directory: 'some/where/My Service' });
    expect(o).toMatchObject({
      lang: 'node',
      db: 'postgres',
      name: 'my-service',
      ci: 'github',
      docker: true,
      kubernetes: true,
      git: true,
      install: false,
      force: false,
      dryRun: false,
    });
  });
  it('rejects an unknown value and lists the valid choices', () => {
    expect(() => resolveOptions({ db: 'sqlite' })).toThrow(UsageError);
    expect(() => resolveOptions({ db: 'sqlite' })).toThrow(databaseIds.join(', '));
    expect(() => resolveOptions({ lang: 'cobol' })).toThrow(languageIds.join(', '));
  });
  it('rejects unknown option keys (library callers too)', () => {
    expect(() => resolveOptions({ colour: 'blue' } as never)).toThrow(/unknown option/);
  });
  it('rejects an invalid explicit name instead of renaming it', () => {
    expect(() => resolveOptions({ name: 'Bad Name' })).toThrow(/--name bad-name/);
  });
  it('rejects a directory that yields no name when none is given', () => {
    expect(() => resolveOptions({ directory: '日本' })).toThrow(/--name/);
    expect(resolveOptions({ directory: '日本', name: 'nihon' }).name).toBe('nihon');
  });
  it('rejects names that would clash with a language keyword or core name, for that language only', () => {
    expect(() => resolveOptions({ name: 'namespace', lang: 'php' })).toThrow(/cannot be used with PHP.*--name namespace-service/);
    expect(() => resolveOptions({ directory: 'x/kernel', lang: 'ruby' })).toThrow(/cannot be used with Ruby/);
    expect(() => resolveOptions({ directory: 'x/app', lang: 'ruby' })).toThrow(/cannot be used with Ruby/);
    expect(resolveOptions({ name: 'namespace', lang: 'node' }).name).toBe('namespace');
    expect(resolveOptions({ name: 'kernel-api', lang: 'ruby' }).name).toBe('kernel-api');
  });
  it('rejects non-boolean values for boolean options', () => {
    expect(() => resolveOptions({ git: 'yes' })).toThrow(UsageError);
  });
});

describe('missing answers without a terminal', () => {
  it('names directory, language and database, and builds a complete example', () => {
    expect(missingAnswers({}).map((o) => o.key)).toEqual(['directory', 'lang', 'db']);
    expect(missingAnswers({ directory: 'x', lang: 'php' }).map((o) => o.key)).toEqual(['db']);
    expect(exampleCommand({ lang: 'ruby' })).toBe(
      'npx create-backend-starter backend-starter --lang ruby --db postgres --yes',
    );
  });
});

describe('the target directory', () => {
  it('is refused before any write when the file system could not hold it', () => {
    expect(() => checkDirectory('a'.repeat(255))).not.toThrow();
    expect(() => checkDirectory('a'.repeat(256))).toThrow(/too long \(256 bytes\).*at most 255 bytes per name/);
    // Bytes, not characters: 128 two-byte letters are 256 bytes.
    expect(() => checkDirectory('é'.repeat(128))).toThrow(/256 bytes/);
    expect(() => checkDirectory(`x/${'a/'.repeat(2100)}`)).toThrow(/target path is \d+ bytes long/);
  });
  it('echoes a huge argument shortened', () => {
    const message = (() => {
      try {
        checkDirectory('a'.repeat(1_000_000));
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message.length).toBeLessThan(300);
  });
  it('refuses invalid UTF-8 (decoded by Node as U+FFFD) and says what to do when empty', () => {
    expect(() => checkDirectory('bad\uFFFDname')).toThrow(/not valid UTF-8/);
    expect(() => checkDirectory(' ')).toThrow(/must not be empty: give the folder to create, e.g. create-backend-starter my-api/);
  });
});

describe('reserved names come from what the generated project depends on', () => {
  it.each([
    ['python', ['fastapi', 'pymysql', 'pytest', 'python3', 'activate']],
    ['ruby', ['queue', 'standard-error', 'pg', 'stringio']],
    ['node', ['fastify', 'mongodb', 'vitest']],
  ] as const)('%s', (lang, names) => {
    for (const name of names) expect(() => resolveOptions({ lang, name })).toThrow(new RegExp(`--name ${name}-service`));
    expect(resolveOptions({ lang, name: `${names[0]}-app` }).name).toBe(`${names[0]}-app`);
  });
});
