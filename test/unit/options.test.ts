import { describe, expect, it } from 'vitest';
import { databaseIds, databases } from '../../src/databases/index.js';
import { combinations, frameworkIds, languageIds, languages, type FrameworkSpec } from '../../src/languages/index.js';
import { checkDirectory, exampleCommand, missingAnswers, resolveOptions, UsageError } from '../../src/options/resolve.js';
import { optionSchema, questionsFor, type OptionSpec } from '../../src/options/schema.js';

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
  it('takes each language\'s framework choices from its registry entry, asked right after the language', () => {
    const fw = byKey('framework');
    expect(fw.type).toBe('dependent-choice');
    if (fw.type !== 'dependent-choice') return;
    for (const lang of languageIds) expect(fw.choicesBy[lang]).toEqual(Object.keys(languages[lang].frameworks));
    expect(fw.choicesBy.node).toEqual(['fastify', 'express']);
    expect(schema.indexOf(fw)).toBe(schema.indexOf(byKey('lang')) + 1);
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
  it('takes the language\'s first framework by default and checks the pair', () => {
    expect(resolveOptions({}).framework).toBe('fastify');
    for (const lang of languageIds) expect(resolveOptions({ lang }).framework).toBe(frameworkIds(lang)[0]);
    expect(resolveOptions({ lang: 'node', framework: 'express' }).framework).toBe('express');
    // Without --lang, the default language decides what is valid.
    expect(resolveOptions({ framework: 'express' })).toMatchObject({ lang: 'node', framework: 'express' });
  });
  it('rejects a framework of another language, naming the valid ones for the language given', () => {
    expect(() => resolveOptions({ lang: 'node', framework: 'django' })).toThrow(UsageError);
    expect(() => resolveOptions({ lang: 'node', framework: 'django' })).toThrow(
      'invalid value for --framework: "django" with --lang node. Valid choices: fastify, express',
    );
    expect(() => resolveOptions({ lang: 'python', framework: 'express' })).toThrow(`Valid choices: ${frameworkIds('python').join(', ')}`);
    expect(() => resolveOptions({ framework: 'fastapi' })).toThrow(/with --lang node/);
  });
  it('refuses a database a framework declares it cannot reach, naming the reason and the databases that work', () => {
    // No framework refuses one today: declare it on a registry entry for the duration of the test.
    const express = languages.node.frameworks.express as FrameworkSpec;
    express.refuses = { mongo: 'no maintained driver here' };
    try {
      expect(() => resolveOptions({ lang: 'node', framework: 'express', db: 'mongo' })).toThrow(
        '--framework express cannot be used with --db mongo: no maintained driver here. Choose --db postgres, --db mysql, or another framework',
      );
      expect(resolveOptions({ lang: 'node', framework: 'fastify', db: 'mongo' }).db).toBe('mongo');
      // Nor does the test matrix hold the pair.
      expect(combinations()).not.toContainEqual({ lang: 'node', framework: 'express', db: 'mongo' });
      expect(combinations()).toContainEqual({ lang: 'node', framework: 'express', db: 'mysql' });
    } finally {
      delete express.refuses;
    }
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

describe('framework question', () => {
  const q = () => questionsFor({ directory: 'x' }).find((x) => x.key === 'framework')!;
  const ofFn = <T,>(v: T | ((a: Record<string, unknown>) => T), a: Record<string, unknown>) =>
    typeof v === 'function' ? (v as (a: Record<string, unknown>) => T)(a) : v;
  it('offers the chosen language\'s frameworks, its first as the default', () => {
    expect(ofFn(q().choices!, { lang: 'node' })).toEqual([
      { value: 'fastify', name: 'Fastify' },
      { value: 'express', name: 'Express' },
    ]);
    expect(ofFn(q().default!, { lang: 'node' })).toBe('fastify');
    expect(q().when!({ lang: 'node' })).toBe(true);
  });
  it('is not asked when the language has one framework', () => {
    for (const lang of languageIds.filter((l) => frameworkIds(l).length === 1)) expect(q().when!({ lang })).toBe(false);
  });
  it('reads a language given as a flag', () => {
    const fromFlag = questionsFor({ lang: 'node' }).find((x) => x.key === 'framework')!;
    expect(fromFlag.when!({})).toBe(true);
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
