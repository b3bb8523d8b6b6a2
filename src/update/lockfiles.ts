import { access } from 'node:fs/promises';
import path from 'node:path';

/**
 * Lockfiles are written by package managers, never by the generator, and a text merge of
 * one yields a file no tool wrote. update never touches them: when the manifest a lockfile
 * belongs to changed, the report says to let the package manager bring it in line.
 */
const LOCKFILES: Record<string, string> = {
  'package-lock.json': 'package.json',
  'npm-shrinkwrap.json': 'package.json',
  'yarn.lock': 'package.json',
  'pnpm-lock.yaml': 'package.json',
  'composer.lock': 'composer.json',
  'Gemfile.lock': 'Gemfile',
  'poetry.lock': 'pyproject.toml',
  'uv.lock': 'pyproject.toml',
  'requirements.lock': 'pyproject.toml',
};

export function isLockfile(p: string): boolean {
  return path.posix.basename(p) in LOCKFILES;
}

export async function lockfileNotes(target: string, changedPaths: string[]): Promise<string[]> {
  const notes: string[] = [];
  for (const [lock, manifest] of Object.entries(LOCKFILES)) {
    if (!changedPaths.includes(manifest)) continue;
    const present = await access(path.join(target, lock)).then(() => true, () => false);
    if (present) notes.push(`${manifest} changed and ${lock} was left as it is: run make install to bring it in line, then commit it`);
  }
  return notes;
}
