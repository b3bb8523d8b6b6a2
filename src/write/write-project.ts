import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { RenderedFile } from '../render/render.js';
import { inspectTarget } from './target.js';

export interface WriteResult {
  /** Files of the user's that differed from ours, moved aside as `<file>.orig`. */
  keptAsOrig: string[];
}

/**
 * Write everything into a staging directory beside the target, then move it into place.
 * A failure or Ctrl-C before the move leaves no trace; the move of a fresh directory is
 * one rename, so a half-written project never appears.
 */
export async function writeProject(target: string, files: RenderedFile[]): Promise<WriteResult> {
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(target)}.staging-${randomBytes(4).toString('hex')}`);

  const cleanupOnSignal = (signal: NodeJS.Signals) => {
    rmSync(staging, { recursive: true, force: true });
    process.stderr.write(`\nInterrupted (${signal}): nothing was written to ${target}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', cleanupOnSignal);
  process.once('SIGTERM', cleanupOnSignal);
  try {
    await mkdir(staging);
    // Each directory once, then all files at once: half the time of one mkdir + writeFile
    // after another. allSettled, so no write is still running when staging is removed.
    for (const dir of new Set(files.map((f) => path.dirname(path.join(staging, f.path))))) {
      await mkdir(dir, { recursive: true });
    }
    const writes = await Promise.allSettled(
      files.map((f) => writeFile(path.join(staging, f.path), f.content, { mode: f.secret ? 0o600 : (f.mode ?? 0o644) })),
    );
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) throw failed.reason;
    await testHook();
    const state = await inspectTarget(target);
    if (state === 'missing') {
      await rename(staging, target);
      return { keptAsOrig: [] };
    }
    if (state === 'empty') {
      await replaceEmptyDirectory(staging, target);
      return { keptAsOrig: [] };
    }
    return await mergeInto(staging, target, files);
  } finally {
    process.removeListener('SIGINT', cleanupOnSignal);
    process.removeListener('SIGTERM', cleanupOnSignal);
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * An existing empty target is swapped for the staged tree in one rename. When it is a
 * mount point (a Docker volume, say) it cannot be removed (EBUSY) and a rename into it
 * crosses file systems (EXDEV): then each entry is moved in, and fs-extra's `move` copies
 * where a rename cannot go.
 */
async function replaceEmptyDirectory(staging: string, target: string): Promise<void> {
  try {
    await rmdir(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
    const move = await loadMove();
    for (const entry of await readdir(staging)) await move(path.join(staging, entry), path.join(target, entry));
    return;
  }
  await rename(staging, target);
}

/** `--force` into a non-empty directory: never delete or overwrite; differing files become `.orig`. */
async function mergeInto(staging: string, target: string, files: RenderedFile[]): Promise<WriteResult> {
  const move = await loadMove();
  const result: WriteResult = { keptAsOrig: [] };
  for (const f of files) {
    const dest = path.join(target, f.path);
    const existing = await readFile(dest).catch(() => null);
    if (existing && existing.equals(f.content)) continue;
    await mkdir(path.dirname(dest), { recursive: true });
    if (existing) {
      const aside = await freeName(`${dest}.orig`);
      await rename(dest, aside);
      result.keptAsOrig.push(path.relative(target, aside));
    }
    // fs-extra's move falls back to a copy when the target is another file system.
    await move(path.join(staging, f.path), dest);
  }
  return result;
}

/** fs-extra is CommonJS, and only the runs that write into an existing directory need it. */
async function loadMove() {
  return (await import('fs-extra')).default.move;
}

async function freeName(candidate: string): Promise<string> {
  for (let i = 0; ; i++) {
    const name = i === 0 ? candidate : `${candidate}.${i}`;
    try {
      await stat(name);
    } catch {
      return name;
    }
  }
}

/**
 * Lets the CLI tests interrupt or fail a run at its most delicate point, after staging
 * and before the move, to prove nothing half-written is left behind.
 */
async function testHook(): Promise<void> {
  const hook = process.env.CREATE_BACKEND_STARTER_TEST_HOOK;
  if (hook === 'fail-before-move') throw new Error('simulated failure before moving the project into place');
  if (hook === 'pause-before-move') {
    process.stderr.write('test hook: paused before move\n');
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
}
