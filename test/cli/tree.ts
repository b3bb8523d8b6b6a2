import { spawnSync, type spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Everything a user would notice about a folder: each entry's kind, a file's content and
 * mode, a link's target. Two snapshots are equal when nothing visible changed.
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string, prefix: string) {
    for (const name of (await readdir(d)).sort()) {
      const p = path.join(d, name);
      const rel = prefix + name;
      const s = await lstat(p);
      if (s.isSymbolicLink()) out[rel] = `link -> ${await readlink(p)}`;
      else if (s.isDirectory()) {
        out[`${rel}/`] = `dir ${(s.mode & 0o7777).toString(8)}`;
        await walk(p, `${rel}/`);
      } else out[rel] = `file ${(s.mode & 0o7777).toString(8)} ${await readFile(p, 'utf8')}`;
    }
  }
  await walk(dir, '');
  return out;
}

export const hasStrace = spawnSync('strace', ['-V']).status === 0;

/**
 * strace fault injection: every rename the CLI makes is held for `delayMs` before it
 * runs, which opens a window to interrupt a run in the middle of moving files.
 */
export function slowRenames(delayMs: number): string[] {
  const calls = 'rename,renameat,renameat2';
  return ['strace', '-f', '-qq', '-o', '/dev/null', '-e', `trace=${calls}`, '-e', `inject=${calls}:delay_enter=${delayMs * 1000}`];
}

/** strace fault injection: each of these system calls is held for `delayMs`. */
export function slowCalls(calls: string, delayMs: number): string[] {
  return ['strace', '-f', '-qq', '-o', '/dev/null', '-e', `trace=${calls}`, '-e', `inject=${calls}:delay_enter=${delayMs * 1000}`];
}

/** strace fault injection: the `nth` rename fails with EIO. */
export function failingRename(nth: number): string[] {
  const calls = 'rename,renameat,renameat2';
  return ['strace', '-f', '-qq', '-o', '/dev/null', '-e', `trace=${calls}`, '-e', `inject=${calls}:error=EIO:when=${nth}`];
}

/** The node process strace started (its only child). */
export function tracedPid(strace: ReturnType<typeof spawn>): number | undefined {
  const file = `/proc/${strace.pid}/task/${strace.pid}/children`;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Calls `then` once a staging folder appears, inside the target or (as it once was) beside it. */
export function whenStaging(parent: string, target: string, then: () => void): () => void {
  const timer = setInterval(() => {
    const beside = readdirSync(parent).some((e) => e.includes('.staging'));
    if (beside || existsSync(path.join(target, '.create-backend-starter.staging'))) {
      clearInterval(timer);
      then();
    }
  }, 1);
  return () => clearInterval(timer);
}

/** Calls `then` once `file` exists, polling every few ms while the run goes on. */
export function whenExists(file: string, then: () => void): () => void {
  const timer = setInterval(() => {
    if (existsSync(file)) {
      clearInterval(timer);
      then();
    }
  }, 2);
  return () => clearInterval(timer);
}
