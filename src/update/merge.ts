import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit } from './git-run.js';

/**
 * What to do with one generated path, from three versions of it: `base` (what the
 * recorded version generated), `yours` (the working tree) and `next` (what the running
 * version generates now). Pure, so every rule in the README is one branch here.
 */
export type Decision =
  | { kind: 'nothing' }
  | { kind: 'write'; action: 'added' | 'updated' }
  | { kind: 'merge' }
  | { kind: 'remove' }
  | { kind: 'kept-deleted' }
  | { kind: 'kept-changed' };

export function decide(base: Buffer | undefined, yours: Buffer | undefined, next: Buffer | undefined): Decision {
  if (next) {
    if (!yours) return base ? { kind: 'kept-deleted' } : { kind: 'write', action: 'added' };
    if (yours.equals(next)) return { kind: 'nothing' };
    if (!base) return { kind: 'merge' }; // a file of yours where a new one is generated: merged, never replaced
    if (yours.equals(base)) return { kind: 'write', action: 'updated' };
    if (base.equals(next)) return { kind: 'nothing' }; // your edit, and nothing new from us
    return { kind: 'merge' };
  }
  if (!base || !yours) return { kind: 'nothing' };
  return yours.equals(base) ? { kind: 'remove' } : { kind: 'kept-changed' };
}

export interface MergeResult {
  content: Buffer;
  conflicts: number;
  /** Set when git could not merge at all (a binary file): `content` is then yours, unchanged. */
  unmergeable?: string;
}

/**
 * Three-way merge of one file with `git merge-file`, git's own merge machinery: the
 * conflict markers are the standard ones every editor and `git mergetool` understand.
 * A missing base (a file both sides added) merges against an empty file, like git's
 * add/add conflicts.
 */
export async function mergeFile(
  yours: Buffer,
  base: Buffer | undefined,
  next: Buffer,
  labels: { yours: string; base: string; next: string },
): Promise<MergeResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cbs-merge-'));
  try {
    const [y, b, n] = ['yours', 'base', 'next'].map((f) => path.join(dir, f)) as [string, string, string];
    await Promise.all([writeFile(y, yours), writeFile(b, base ?? Buffer.alloc(0)), writeFile(n, next)]);
    const r = await runGit(dir, ['merge-file', '-L', labels.yours, '-L', labels.base, '-L', labels.next, y, b, n]);
    // merge-file exits with the number of conflicts (capped at 127), or a negative/255 on error.
    if (r.code < 0 || r.code > 127) return { content: yours, conflicts: 1, unmergeable: r.stderr.trim() || 'git merge-file failed' };
    return { content: await readFile(y), conflicts: r.code };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
