import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { show } from './display.js';

/** Free blocks and inodes of the file system holding `p` (or its nearest existing parent). */
async function isFull(p: string): Promise<boolean> {
  for (let dir = p; ; dir = path.dirname(dir)) {
    try {
      const s = await statfs(dir);
      return s.bavail === 0 || s.ffree === 0;
    } catch {
      if (path.dirname(dir) === dir) return false;
    }
  }
}

/**
 * A file-system error as the user needs it: what is wrong with their target and what to
 * do about it. Never the raw message, which names our staging folder, not theirs.
 */
export async function describeFsError(err: NodeJS.ErrnoException, target: string): Promise<string | undefined> {
  const where = show(target);
  const full = `there is no space left on the file system of ${where} (the disk is full or out of inodes): free some space, then run again`;
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return full;
    case 'EROFS':
      return `${where} is on a read-only file system: choose a directory on a writable one`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied while writing to ${where}: choose a directory you can write to, or fix its permissions`;
    case 'ENAMETOOLONG':
      return `a path inside ${where} is too long for this file system: choose a shorter target directory`;
    case 'ENOTDIR':
      return `part of the path ${where} is a file, not a folder: choose another target directory`;
    case 'ELOOP':
      return `the path ${where} runs through a loop of symbolic links: choose another target directory`;
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open on this system: close some programs, then run again';
    case 'ENOENT':
      // A file system out of inodes can fail a create as "no such file" when the folder
      // that was to hold it could not be made.
      if (await isFull(target)) return full;
      return `a folder under ${where} disappeared while the project was being written (removed by another program?): run again`;
    default:
      return err.code ? `could not write to ${where} (${err.code}${err.syscall ? ` in ${err.syscall}` : ''})` : undefined;
  }
}
