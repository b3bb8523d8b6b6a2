import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipBecause } from '../skip.js';
import { runCli, tempDir } from './run-cli.js';

/**
 * A target that is an empty mount point (a Docker volume, say) can be neither removed
 * nor renamed onto: the project must still arrive in it. Needs root to mount a tmpfs.
 */
async function mountTmpfs(extra = ''): Promise<{ parent: string; mount: string } | string> {
  const parent = await tempDir('mount');
  const mount = path.join(parent, 'vol');
  await mkdir(mount);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=32m${extra ? `,${extra}` : ''}`, 'tmpfs', mount], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()})`;
  mounted.push(mount);
  return { parent, mount };
}
const mounted: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const m of mounted.splice(0)) execFileSync('umount', ['-R', m]);
  for (const c of cleanups.splice(0)) await c();
});

describe('a target that is a mount point', () => {
  it('an empty one receives the project, with nothing left beside it', async (ctx) => {
    const m = await mountTmpfs();
    if (typeof m === 'string') return skipBecause(ctx, m, true);
    const r = await runCli(['vol', '--yes', '--no-git'], { cwd: m.parent });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(m.parent)).toEqual(['vol']);
    expect(await readdir(m.mount)).toContain('Makefile');
  });

  it('a non-empty one with --force keeps the user\'s files', async (ctx) => {
    const m = await mountTmpfs();
    if (typeof m === 'string') return skipBecause(ctx, m, true);
    await writeFile(path.join(m.mount, 'README.md'), 'mine\n');
    const r = await runCli(['vol', '--yes', '--no-git', '--force'], { cwd: m.parent });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(m.mount, 'README.md.orig'), 'utf8')).toBe('mine\n');
    expect(await readdir(m.mount)).toContain('Makefile');
    expect(await readdir(m.parent)).toEqual(['vol']);
  });
});

describe('file systems that refuse', () => {
  it('an empty writable mount point in a read-only parent is filled in place (no staging beside it)', async (ctx) => {
    const m = await mountTmpfs();
    if (typeof m === 'string') return skipBecause(ctx, m, true);
    // The parent, seen through a read-only bind mount; the tmpfs below it stays writable.
    const ro = await tempDir('ro');
    const bind = spawnSync('sh', ['-c', `mount --rbind "${m.parent}" "${ro}" && mount -o remount,bind,ro "${ro}"`], { encoding: 'utf8' });
    if (bind.status !== 0) return skipBecause(ctx, `cannot make a read-only bind mount (${bind.stderr.trim()})`, true);
    mounted.unshift(ro);
    expect(spawnSync('touch', [path.join(ro, 'x')]).status).not.toBe(0);
    const r = await runCli(['vol', '--yes', '--no-git'], { cwd: ro });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(m.mount)).toContain('Makefile');
  });

  it('running out of inodes is reported as a full disk, and nothing is left behind', async (ctx) => {
    const m = await mountTmpfs('nr_inodes=12');
    if (typeof m === 'string') return skipBecause(ctx, m, true);
    const r = await runCli(['vol/deep/proj', '--yes', '--no-git'], { cwd: m.parent });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no space left on the file system of .*proj \(the disk is full or out of inodes\): free some space, then run again\. Nothing was written\./);
    expect(r.stderr).not.toMatch(/ENOENT|ENOSPC|staging/);
    expect(await readdir(m.mount)).toEqual([]);
  });

  it("a user's own empty folder in a parent they cannot write to is filled in place", async (ctx) => {
    if (process.getuid?.() !== 0) return skipBecause(ctx, 'needs root to run the CLI as another user', true);
    // Everything on the way must be readable by that user: a world-readable folder in /tmp.
    const parent = await mkdtemp(path.join(os.tmpdir(), 'cbs-eacces-'));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    await chmod(parent, 0o755);
    await mkdir(path.join(parent, 'proj'));
    await chown(path.join(parent, 'proj'), 65534, 65534);
    const r = await runCli(['proj', '--yes', '--no-git'], {
      cwd: parent,
      prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
      env: { HOME: parent },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(path.join(parent, 'proj'))).toContain('Makefile');
    expect(await readdir(parent)).toEqual(['proj']);
  });
});
