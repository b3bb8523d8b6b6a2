import { readdir, stat } from 'node:fs/promises';
import { UsageError } from '../options/resolve.js';

export type TargetState = 'missing' | 'empty' | 'non-empty';

/** What is at the target now. A file (not a directory) there is a usage error. */
export async function inspectTarget(target: string): Promise<TargetState> {
  let s;
  try {
    s = await stat(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  if (!s.isDirectory()) {
    throw new UsageError(`${target} exists and is not a directory; choose another target directory`);
  }
  return (await readdir(target)).length === 0 ? 'empty' : 'non-empty';
}

export async function assertWritableTarget(target: string, force: boolean): Promise<TargetState> {
  const state = await inspectTarget(target);
  if (state === 'non-empty' && !force) {
    throw new UsageError(
      `${target} is not empty. Choose a new directory, or pass --force to write into it ` +
        `(files of yours that would change are kept as *.orig; nothing is deleted).`,
    );
  }
  return state;
}
