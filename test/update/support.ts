import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { databases } from '../../src/databases/index.js';
import { templatesDir } from '../../src/meta.js';
import { secretNames } from '../../src/models/env.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Answers } from '../../src/plan/types.js';
import { renderPlan } from '../../src/render/render.js';
import { recordGeneratedBase } from '../../src/update/base.js';
import { listTree } from '../cli/run-cli.js';

/** A git identity for the commits tests make as "the user"; the CLI runs get it too. */
export const gitIdentity = {
  GIT_AUTHOR_NAME: 'Test User',
  GIT_AUTHOR_EMAIL: 'user@example.test',
  GIT_COMMITTER_NAME: 'Test User',
  GIT_COMMITTER_EMAIL: 'user@example.test',
};

export function sh(cwd: string, cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    cwd,
    env: { ...process.env, ...gitIdentity, GIT_CONFIG_NOSYSTEM: '1' },
    encoding: 'utf8',
  }).trim();
}
export const gitIn = (cwd: string, ...args: string[]) => sh(cwd, 'git', ['-c', 'commit.gpgsign=false', ...args]);

/** Replace `from` once, failing loudly if the template no longer contains it. */
export function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test fixture out of date: ${JSON.stringify(from)} not found`);
  return text.replace(from, to);
}

export const nodeAnswers = (name: string): Answers => ({
  lang: 'node',
  framework: 'fastify',
  db: 'postgres',
  name,
  ci: 'github',
  docker: true,
  kubernetes: true,
  git: true,
});

/**
 * What an earlier generator version produced: this version's output for the same answers,
 * recorded as `version`, with `older` applied to say how the old templates differed (a
 * changed line, a file it had and this one no longer generates, a file it lacked). Written
 * and committed exactly as the generator does it, base ref included.
 */
export async function generateOlder(
  dir: string,
  answers: Answers,
  version: string,
  older: Record<string, ((text: string) => string) | null | string>,
  opts: { git?: boolean; modes?: Record<string, number> } = {},
): Promise<void> {
  const secrets = Object.fromEntries(secretNames(databases[answers.db]).map((n) => [n, `old-secret-${n}`]));
  const plan = buildPlan(answers, { generatorVersion: version, secrets });
  const files = new Map((await renderPlan(plan, templatesDir)).map((f) => [f.path, { text: f.content.toString('utf8'), mode: f.mode }]));
  for (const [p, change] of Object.entries(older)) {
    if (change === null) {
      if (!files.delete(p)) throw new Error(`test fixture out of date: ${p} is not generated`);
    } else if (typeof change === 'string') {
      files.set(p, { text: change, mode: undefined });
    } else {
      const f = files.get(p);
      if (!f) throw new Error(`test fixture out of date: ${p} is not generated`);
      files.set(p, { ...f, text: change(f.text) });
    }
  }
  for (const [p, f] of files) {
    await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await writeFile(path.join(dir, p), f.text, { mode: opts.modes?.[p] ?? (p === '.env' ? 0o600 : (f.mode ?? 0o644)) });
  }
  if (opts.git === false) return;
  gitIn(dir, 'init', '--quiet', '--initial-branch=main');
  gitIn(dir, 'add', '--all');
  gitIn(dir, 'commit', '--quiet', '--message', 'Initial commit from create-backend-starter');
  await recordGeneratedBase(dir);
}

/** Every file under `dir` (not .git) with a hash of its bytes: "nothing changed" is this being equal. */
export async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) {
    if (f.endsWith('/')) continue;
    out[f] = createHash('sha256').update(await readFile(path.join(dir, f))).digest('hex');
  }
  return out;
}

export const read = (dir: string, p: string) => readFile(path.join(dir, p), 'utf8');
