import { describe, expect, it } from 'vitest';
import { checkName, MAX_NAME_LENGTH, nameFromDirectory, normaliseName, projectNames } from '../../src/options/names.js';
import { safeJson, shellQuote, show } from '../../src/write/display.js';

describe('normaliseName', () => {
  it.each([
    ['my-api', 'my-api'],
    ['My API', 'my-api'],
    ['MyApi', 'my-api'],
    ['Café Crème', 'cafe-creme'],
    ['../escape', 'escape'],
    ['$(rm -rf /)', 'rm-rf'],
    ['`id`', 'id'],
    [`it's "quoted"`, 'it-s-quoted'],
    ['  spaced  out  ', 'spaced-out'],
    ['123-api', 'api'],
    ['api_v2', 'api-v2'],
    ['a/b\\c', 'a-b-c'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseName(raw)).toBe(expected);
  });

  it('returns nothing usable for names without ASCII letters', () => {
    for (const raw of ['日本語', '123', '---', '..', '']) expect(normaliseName(raw)).toBe('');
  });

  it('caps the length without leaving a trailing dash', () => {
    const n = normaliseName('a'.repeat(49) + '-bcdef');
    expect(n.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(n.endsWith('-')).toBe(false);
  });
});

describe('checkName (explicit --name)', () => {
  it('accepts valid names as typed', () => {
    expect(checkName('my-api2')).toEqual({ ok: true, name: 'my-api2' });
  });
  it('rejects invalid names and suggests the normalised one', () => {
    const r = checkName('My API');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('--name my-api');
  });
  it.each(['../x', 'a b', 'x$(id)', 'é', '-x', 'x-', 'a--b', 'a'.repeat(MAX_NAME_LENGTH + 1)])('rejects %j', (n) => {
    expect(checkName(n).ok).toBe(false);
  });
});

describe('nameFromDirectory', () => {
  it('fails with a hint when nothing is left', () => {
    const r = nameFromDirectory('日本語');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('--name');
  });
});

describe('projectNames', () => {
  it('derives every spelling from the kebab name', () => {
    expect(projectNames('my-cool-api')).toEqual({
      name: 'my-cool-api',
      snake: 'my_cool_api',
      pascal: 'MyCoolApi',
      title: 'My Cool Api',
    });
  });
});

describe('names printed back to a terminal', () => {
  it('escape control characters and cut very long ones', () => {
    expect(show('esc\x1b]0;PWNED\x07x')).toBe('esc\\x1b]0;PWNED\\x07x');
    expect(show('ok\rFAKE\u009b\u202e')).toBe('ok\\rFAKE\\x9b\\u202e');
    expect(show('a'.repeat(10_000)).length).toBeLessThan(200);
  });
  it('quote the cd hint so bash goes exactly there', () => {
    expect(shellQuote('my-api')).toBe('my-api');
    expect(shellQuote('--json')).toBe('./--json');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("a\x1bb'c")).toBe(`$'a\\x1bb\\'c'`);
  });
  it('JSON output escapes C1 controls that JSON.stringify leaves raw', () => {
    expect(safeJson({ d: 'a\u009bb' })).toBe('{"d":"a\\u009bb"}');
    expect(JSON.parse(safeJson({ d: 'a\u009bb' })).d).toBe('a\u009bb');
  });
});
