import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { UsageError } from '../options/resolve.js';
import { show } from './display.js';
import { WriteError } from './errors.js';

export type TargetState = 'missing' | 'empty' | 'non-empty';

/**
 * The folder a run writes through, inside the target. Its fixed name makes it the lock
 * as well: `mkdir` either creates it or fails, so two runs into one target cannot both
 * proceed. It is short, so a target name near the file system's limit still fits.
 */
export const STAGING = '.create-backend-starter.staging';

export function busyError(shown: string): WriteError {
  return new WriteError(
    `another create-backend-starter run is writing into ${show(shown)}; wait for it to finish. ` +
      `If none is running, an earlier one was killed: remove ${show(`${shown}/${STAGING}`)} and run again`,
  );
}

export function notEmptyError(shown: string): UsageError {
  return new UsageError(
    `${show(shown)} is not empty. Choose a new directory, or pass --force to write into it ` +
      `(files of yours that would change are kept as *.orig; nothing is deleted).`,
  );
}

/**
 * The directory to write into. A target that is a symbolic link to a folder is the user's
 * explicit choice and is followed once, here; nothing below the target ever is.
 */
export async function resolveTarget(target: string): Promise<string> {
  let s;
  try {
    s = await lstat(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return target;
    throw err;
  }
  if (!s.isSymbolicLink()) return target;
  try {
    if ((await stat(target)).isDirectory()) return await realpath(target);
  } catch {
    throw new UsageError(`${show(target)} is a symbolic link to something that does not exist; create that folder or choose another target directory`);
  }
  throw new UsageError(`${show(target)} exists and is not a directory; choose another target directory`);
}

/** What is at the target now. A file (not a directory) there is a usage error. */
export async function inspectTarget(target: string, shown = target): Promise<TargetState> {
  let s;
  try {
    s = await lstat(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  if (!s.isDirectory()) {
    throw new UsageError(`${show(shown)} exists and is not a directory; choose another target directory`);
  }
  const entries = await readdir(target);
  if (entries.includes(STAGING)) throw busyError(shown);
  return entries.length === 0 ? 'empty' : 'non-empty';
}

export async function assertWritableTarget(target: string, force: boolean, shown = target): Promise<TargetState> {
  const state = await inspectTarget(target, shown);
  if (state === 'non-empty' && !force) throw notEmptyError(shown);
  return state;
}
