import type { ProjectNames } from '../plan/types.js';

/** Longest name we accept: fits a PostgreSQL identifier (63) with room for a `_test` suffix. */
export const MAX_NAME_LENGTH = 50;
const VALID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * Turn anything (a directory name, a title) into a package name every ecosystem accepts:
 * lowercase ASCII letters and digits in dash-separated words, starting with a letter.
 * Accents are folded (`Café` → `cafe`); everything else separates words.
 */
export function normaliseName(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/-+$/, '');
}

/** An explicitly given `--name` must already be valid: we never silently rename what was typed. */
export function checkName(name: string): NameCheck {
  if (VALID.test(name) && name.length <= MAX_NAME_LENGTH) return { ok: true, name };
  const suggestion = normaliseName(name);
  const rule = `a name is lowercase letters, digits and single dashes, starts with a letter, at most ${MAX_NAME_LENGTH} characters`;
  return {
    ok: false,
    reason: suggestion
      ? `invalid project name ${JSON.stringify(name)}: ${rule}. Try --name ${suggestion}`
      : `invalid project name ${JSON.stringify(name)}: ${rule}. Pass --name with such a name`,
  };
}

/** A name derived from the target directory; fails only when nothing usable is left. */
export function nameFromDirectory(dirBase: string): NameCheck {
  const name = normaliseName(dirBase);
  if (name) return { ok: true, name };
  return {
    ok: false,
    reason: `cannot derive a project name from the directory ${JSON.stringify(dirBase)}; pass --name my-api`,
  };
}

export function projectNames(name: string): ProjectNames {
  const words = name.split('-');
  return {
    name,
    snake: words.join('_'),
    pascal: words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(''),
    title: words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' '),
  };
}
