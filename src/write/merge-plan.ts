import type { Stats } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { RenderedFile } from '../render/render.js';
import { UsageError } from '../options/resolve.js';
import { show } from './display.js';

/** Everything a `--force` merge will do, decided before the first change. */
export interface MergePlan {
  /** User entries in the way, and the free `.orig` names they move to. */
  aside: Array<{ from: string; to: string }>;
  /** Folders to create, parents first. */
  mkdirs: string[];
  /** Generated files to move in (the ones already identical are left out). */
  place: string[];
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function depth(p: string): number {
  return p.split('/').length;
}

/**
 * Every path component below the target is checked with lstat, never followed: a
 * symbolic link where the project needs a folder would send our writes (and the renames
 * that keep the user's files aside) wherever it points, so it stops the run before
 * anything moves. A link where the project puts a file is the user's file like any
 * other: it is kept aside as `.orig` (the link itself, even a dangling one).
 */
export async function planMerge(target: string, files: RenderedFile[], shown: string): Promise<MergePlan> {
  const plan: MergePlan = { aside: [], mkdirs: [], place: [] };
  const taken = new Set(files.map((f) => f.path));
  const fresh = new Set<string>();
  const dirs = new Set<string>();
  for (const f of files) {
    for (let d = path.posix.dirname(f.path); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  }
  const ordered = [...dirs].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));

  const keepAside = async (rel: string) => {
    plan.aside.push({ from: rel, to: await freeName(target, rel, taken) });
  };

  for (const dir of ordered) {
    const parent = path.posix.dirname(dir);
    const st = fresh.has(parent) ? null : await lstatOrNull(path.join(target, dir));
    if (st?.isDirectory()) continue;
    if (st?.isSymbolicLink()) {
      const to = await readlink(path.join(target, dir)).catch(() => '?');
      throw new UsageError(
        `${show(`${shown}/${dir}`)} is a symbolic link (to ${show(to)}), and the project writes files into that folder. ` +
          '--force never writes through links, so nothing was changed. Replace the link with a real folder, or move it away, then run again.',
      );
    }
    if (st) await keepAside(dir);
    fresh.add(dir);
    plan.mkdirs.push(dir);
  }

  for (const f of files) {
    const parent = path.posix.dirname(f.path);
    if (fresh.has(parent)) {
      plan.place.push(f.path);
      continue;
    }
    const p = path.join(target, f.path);
    const st = await lstatOrNull(p);
    if (st?.isFile() && (await readFile(p)).equals(f.content)) continue;
    if (st) await keepAside(f.path);
    plan.place.push(f.path);
  }
  return plan;
}

/** `<rel>.orig`, or `.orig.1` … when that is taken on disk (even by a dangling link) or by the plan. */
async function freeName(target: string, rel: string, taken: Set<string>): Promise<string> {
  for (let i = 0; ; i++) {
    const name = i === 0 ? `${rel}.orig` : `${rel}.orig.${i}`;
    if (taken.has(name)) continue;
    if ((await lstatOrNull(path.join(target, name))) === null) {
      taken.add(name);
      return name;
    }
  }
}
