import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { remove } from 'fs-extra/esm';
import type { RenderedFile } from '../render/render.js';
import { UsageError } from '../options/resolve.js';
import { show } from './display.js';
import { Interrupted, WriteError } from './errors.js';
import { describeFsError } from './fs-errors.js';
import { planMerge, type MergePlan } from './merge-plan.js';
import type { SignalGuard } from './signals.js';
import { busyError, notEmptyError, STAGING } from './target.js';

export interface WriteResult {
  /** Files of the user's that differed from ours, moved aside as `<file>.orig`. */
  keptAsOrig: string[];
  /** The same, as `{ from, to }` relative paths. */
  aside: Array<{ from: string; to: string }>;
}

export interface WriteOptions {
  force: boolean;
  guard: SignalGuard;
  /** The target as the user named it, for messages (`target` may be where a link led). */
  shown: string;
}

/** Undo steps, run newest first when a run fails or is interrupted. */
class Journal {
  private steps: Array<{ what: string; run: () => Promise<void> }> = [];
  push(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }
  clear(): void {
    this.steps = [];
  }
  /** Runs every step; returns what could not be undone. */
  async undo(): Promise<string[]> {
    const failed: string[] = [];
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (err) {
        failed.push(`${step.what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    this.steps = [];
    return failed;
  }
}

/**
 * Write the project into `target`, all or nothing.
 *
 * Everything is written first into a staging folder inside the target (same file system,
 * so every move is a rename; no write beside the target, whose parent may be read-only
 * or whose name may already be at the length limit). Then, for a new or empty target,
 * each top-level entry is renamed in; for a non-empty one (`--force`) every conflict is
 * decided before the first move (merge-plan.ts) and each file renamed into place.
 * Every step is journalled: a failure, SIGINT or SIGTERM undoes them all, so the target
 * is as it was (an existing target keeps its inode, mode and owner: it is filled in
 * place, never replaced), and parent folders this run created are removed again.
 */
export async function writeProject(target: string, files: RenderedFile[], o: WriteOptions): Promise<WriteResult> {
  const journal = new Journal();
  let existed = false;
  try {
    existed = await claimTarget(target, o, journal);
    o.guard.check();
    const staging = path.join(target, STAGING);
    try {
      await mkdir(staging);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw busyError(o.shown);
      throw err;
    }
    journal.push('remove the staging folder', () => remove(staging));
    o.guard.check();
    await stage(staging, files);
    o.guard.check();
    await testHook(o.guard);
    o.guard.check();

    const others = (await readdir(target)).filter((e) => e !== STAGING);
    let result: WriteResult = { keptAsOrig: [], aside: [] };
    if (others.length === 0) {
      await moveEntries(staging, target, journal, o.guard);
    } else {
      if (!o.force) throw notEmptyError(o.shown);
      const plan = await planMerge(target, files, o.shown);
      result = await applyMerge(plan, staging, target, journal, o.guard);
    }
    o.guard.check();
    // Past this point the project counts as written.
    journal.clear();
    await remove(staging);
    return result;
  } catch (err) {
    const leftovers = await journal.undo();
    throw await explain(err, o.shown, target, existed, leftovers);
  }
}

/**
 * Make sure the target exists, creating it (and missing parents) if needed. Returns
 * whether it existed before. A concurrent run that created it first is met here or at
 * the staging folder, and one of the two stops.
 */
async function claimTarget(target: string, o: WriteOptions, journal: Journal): Promise<boolean> {
  const exists = await lstat(target).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  if (!exists) {
    const parent = path.dirname(target);
    const first = await mkdir(parent, { recursive: true });
    if (first) journal.push('remove the parent folders this run created', () => removeUpTo(parent, first));
    try {
      await mkdir(target);
      // Another run that got in meanwhile has its staging folder in here: leave it then.
      journal.push(`remove ${target}`, () => rmdir(target).catch(ignore('ENOTEMPTY', 'EEXIST', 'ENOENT')));
      return false;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const s = await lstat(target);
  if (!s.isDirectory()) throw new UsageError(`${show(o.shown)} exists and is not a directory; choose another target directory`);
  const entries = await readdir(target);
  if (entries.includes(STAGING)) throw busyError(o.shown);
  if (entries.length > 0 && !o.force) throw notEmptyError(o.shown);
  return true;
}

/** rmdir from `dir` up to and including `first`, stopping at the first folder not empty. */
async function removeUpTo(dir: string, first: string): Promise<void> {
  for (let d = dir; d.length >= first.length; d = path.dirname(d)) {
    try {
      await rmdir(d);
    } catch (err) {
      if (['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) return;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (d === first) return;
  }
}

function ignore(...codes: string[]) {
  return (err: NodeJS.ErrnoException): void => {
    if (!codes.includes(err.code ?? '')) throw err;
  };
}

async function stage(staging: string, files: RenderedFile[]): Promise<void> {
  // Each directory once, then all files at once: half the time of one mkdir + writeFile
  // after another. allSettled, so no write is still running when staging is removed.
  // One level at a time, parents first: Node's recursive mkdir reports ENOENT when it cannot
  // make an intermediate folder (a full disk among others), hiding the real cause.
  const dirs = new Set<string>();
  for (const f of files) {
    for (let d = path.posix.dirname(f.path); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  }
  const depth = (d: string) => d.split('/').length;
  for (const dir of [...dirs].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1))) {
    await mkdir(path.join(staging, dir)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  const writes = await Promise.allSettled(
    files.map((f) =>
      writeFile(path.join(staging, f.path), f.content, { mode: f.secret ? 0o600 : (f.mode ?? 0o644), flag: 'wx' }),
    ),
  );
  const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failed) throw failed.reason;
}

/** A new or empty target: move the staged top-level entries in, one rename each. */
async function moveEntries(staging: string, target: string, journal: Journal, guard: SignalGuard): Promise<void> {
  for (const entry of await readdir(staging)) {
    const dest = path.join(target, entry);
    await rename(path.join(staging, entry), dest);
    journal.push(`remove ${entry}`, () => remove(dest));
    guard.check();
  }
}

async function applyMerge(
  plan: MergePlan,
  staging: string,
  target: string,
  journal: Journal,
  guard: SignalGuard,
): Promise<WriteResult> {
  for (const a of plan.aside) {
    const from = path.join(target, a.from);
    const to = path.join(target, a.to);
    await rename(from, to);
    journal.push(`put ${a.from} back`, () => rename(to, from));
    guard.check();
  }
  for (const dir of plan.mkdirs) {
    const d = path.join(target, dir);
    await mkdir(d);
    journal.push(`remove the folder ${dir}`, () => rmdir(d));
    guard.check();
  }
  for (const file of plan.place) {
    const dest = path.join(target, file);
    await moveFile(path.join(staging, file), dest);
    journal.push(`remove ${file}`, () => unlink(dest));
    guard.check();
  }
  return { keptAsOrig: plan.aside.map((a) => a.to), aside: plan.aside };
}

/** A rename; a sub-folder of the target on another file system (a mount) gets a copy. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to, constants.COPYFILE_EXCL);
  }
}

async function explain(err: unknown, shown: string, target: string, existed: boolean, leftovers: string[]): Promise<Error> {
  const state = leftovers.length
    ? `Could not undo everything in ${show(shown)}: ${leftovers.map((l) => show(l)).join('; ')}`
    : existed
      ? `Nothing was written: ${show(shown)} is as it was.`
      : 'Nothing was written.';
  if (err instanceof Interrupted) {
    const said = state.charAt(0).toLowerCase() + state.slice(1);
    return new Interrupted(err.signal, `Interrupted (${err.signal}): ${said}`);
  }
  if (err instanceof UsageError || err instanceof WriteError) {
    return leftovers.length ? new WriteError(`${err.message}\n${state}`) : err;
  }
  const described = await describeFsError(err as NodeJS.ErrnoException, target);
  return new WriteError(`${described ?? (err as Error).message}. ${state}`, { cause: err });
}

/**
 * Lets the CLI tests interrupt or fail a run at its most delicate point, after staging
 * and before the move, to prove nothing half-written is left behind.
 */
async function testHook(guard: SignalGuard): Promise<void> {
  const hook = process.env.CREATE_BACKEND_STARTER_TEST_HOOK;
  if (hook === 'fail-before-move') throw new Error('simulated failure before moving the project into place');
  if (hook === 'pause-before-move') {
    process.stderr.write('test hook: paused before move\n');
    await guard.sleep(30_000);
  }
}
