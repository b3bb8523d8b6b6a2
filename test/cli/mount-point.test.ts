import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipBecause } from '../skip.js';
import { runCli, tempDir } from './run-cli.js';

/**
 * A target that is an empty mount point (a Docker volume, say) can be neither removed
 * nor renamed onto: the project must still arrive in it. Needs root to mount a tmpfs.
 */
async function mountTmpfs(): Promise<{ parent: string; mount: string } | string> {
  const parent = await tempDir('mount');
  const mount = path.join(parent, 'vol');
  await mkdir(mount);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', mount], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()})`;
  mounted.push(mount);
  return { parent, mount };
}
const mounted: string[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) execFileSync('umount', [m]);
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
