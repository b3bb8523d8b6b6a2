import { execFile } from 'node:child_process';
import { appendFile, lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { recordGeneratedBase } from '../update/base.js';
import { show } from '../write/display.js';

const exec = promisify(execFile);

export interface GitResult {
  status: 'committed' | 'initialised' | 'skipped' | 'failed';
  /** Why git was skipped or the commit was not made; shown as a warning or note. */
  message?: string;
  /** Paths of the user's that are on disk but were kept out of the repository. */
  keptOutOfGit?: string[];
}

export interface GitInput {
  /** Files of the user's moved aside by a `--force` merge, relative to the project. */
  aside?: Array<{ from: string; to: string }>;
}

// Commits are never signed or hooked here: a signing prompt or a global hook must not
// hang or fail a scaffold. Git's own environment variables would point at another repo.
const GIT_CONFIG = ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null'];
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[k];
  return env;
}

async function git(cwd: string, args: string[]) {
  return exec('git', [...GIT_CONFIG, ...args], { cwd, env: gitEnv(), timeout: 60_000 });
}

function stderrOf(err: unknown): string {
  return String((err as { stderr?: string }).stderr ?? (err as Error).message ?? '');
}

function firstLine(s: string): string {
  return show(s.trim().split('\n')[0] || 'unknown error', 300);
}

/** Escape a literal path for a gitignore pattern, anchored at the repository root. */
function ignorePattern(rel: string): string {
  return `/${rel.replace(/[\\*?[\]!#]/g, (c) => `\\${c}`).replace(/ $/, '\\ ')}`;
}

/**
 * Where git stands on `dir`: inside a repository (use it, never nest one), not inside one
 * (init), or unknown. Only git's own "not a git repository" answer means "not inside":
 * "dubious ownership" (a repository owned by another user, as with a Docker bind mount)
 * is a repository git will not touch, and initialising a nested one would hide the
 * project from it.
 */
async function whereIs(dir: string): Promise<GitResult | null> {
  try {
    const { stdout } = await git(dir, ['rev-parse', '--show-toplevel']);
    return { status: 'skipped', message: `inside the existing git repository ${show(stdout.trim())}: skipped git init` };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        status: 'skipped',
        message: 'git was not found on PATH: skipped git init. Install git, then run: git init && git add -A && git commit -m "Initial commit"',
      };
    }
    const stderr = stderrOf(err);
    const dubious = /dubious ownership in repository at '([^']*)'/.exec(stderr);
    if (dubious) {
      const repo = show(dubious[1] ?? '');
      return {
        status: 'skipped',
        message:
          `the project is inside the git repository ${repo}, which belongs to another user, so git refuses to use it ("dubious ownership"); ` +
          `skipped git init rather than nest a second repository in it. If you trust it: git config --global --add safe.directory ${repo}`,
      };
    }
    if (/not a git repository/i.test(stderr)) return null;
    return {
      status: 'skipped',
      message: `git could not tell whether the project is inside a repository (${firstLine(stderr)}): skipped git init`,
    };
  }
}

/** `git init` on main; git before 2.28 has no --initial-branch, so name the branch after. */
async function init(dir: string): Promise<void> {
  try {
    await git(dir, ['init', '--quiet', '--initial-branch=main']);
  } catch (err) {
    if (!/initial-branch|unknown option/i.test(stderrOf(err))) throw err;
    await git(dir, ['init', '--quiet']);
    await git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
  }
}

/**
 * After a `--force` merge the user's `.gitignore` may have been replaced by ours (and
 * kept as `.gitignore.orig`): its rules go into `.git/info/exclude`, which applies them
 * without committing them. A file of theirs kept as `X.orig` stays out when X itself is
 * ignored (their `.env` next to ours, say). Returns what was kept out.
 */
async function keepIgnoredOut(dir: string, aside: Array<{ from: string; to: string }>): Promise<string[]> {
  const exclude = path.join(dir, '.git', 'info', 'exclude');
  const kept: string[] = [];
  const userIgnore = aside.find((a) => a.from === '.gitignore');
  // Only a regular file: a link kept aside could point anywhere, /dev/zero included.
  if (userIgnore && (await lstat(path.join(dir, userIgnore.to))).isFile()) {
    const rules = await readFile(path.join(dir, userIgnore.to), 'utf8');
    await appendFile(exclude, `\n# Your .gitignore from before create-backend-starter (now ${userIgnore.to})\n${rules}\n`);
    kept.push(`everything your previous .gitignore ignored (its rules are in .git/info/exclude)`);
  }
  if (aside.length === 0) return kept;
  let ignored: string[] = [];
  try {
    // The paths are the project's own file names (plain ASCII), so one per line is exact.
    const { stdout } = await git(dir, ['check-ignore', '--no-index', '--', ...aside.map((a) => a.from)]);
    ignored = stdout.split('\n').filter(Boolean);
  } catch (err) {
    // Exit 1: none of them is ignored.
    if ((err as { code?: number }).code !== 1) throw err;
  }
  const out = aside.filter((a) => ignored.includes(a.from)).map((a) => a.to);
  if (out.length) {
    await appendFile(exclude, `\n# Your files kept aside by create-backend-starter whose originals are ignored\n${out.map(ignorePattern).join('\n')}\n`);
    kept.push(...out);
  }
  return kept;
}

/**
 * Initialise a repository with a first commit. Runs after the project is on disk, so
 * nothing here fails the run: every problem comes back as a message the CLI shows as a
 * warning, with the command to finish by hand.
 */
export async function initGitRepository(dir: string, input: GitInput = {}): Promise<GitResult> {
  const skip = await whereIs(dir);
  if (skip) return skip;
  const byHand = `To finish by hand: cd ${show(dir)} && git init && git add -A && git commit -m "Initial commit"`;
  try {
    await init(dir);
  } catch (err) {
    return { status: 'failed', message: `git init failed (${firstLine(stderrOf(err))}); the project is complete, without a repository. ${byHand}` };
  }
  let keptOutOfGit: string[] = [];
  try {
    keptOutOfGit = await keepIgnoredOut(dir, input.aside ?? []);
    await git(dir, ['add', '--all']);
  } catch (err) {
    return {
      status: 'failed',
      message: `git could not stage the files (${firstLine(stderrOf(err))}); the repository is initialised but empty. Check .git/info/exclude, then: git add -A && git commit -m "Initial commit"`,
    };
  }
  const kept = keptOutOfGit.length ? { keptOutOfGit } : {};
  try {
    await git(dir, ['commit', '--quiet', '--message', 'Initial commit from create-backend-starter']);
  } catch (err) {
    const stderr = stderrOf(err);
    const identity = /user\.(name|email)|tell me who you are|empty ident/i.test(stderr);
    return {
      status: 'initialised',
      ...kept,
      message: identity
        ? 'git has no user identity here, so the first commit was not made (files are staged). Set git config user.name and user.email, then run: git commit -m "Initial commit"'
        : `the first commit failed (files are staged): ${firstLine(stderr)}`,
    };
  }
  // The first commit is the pristine output: the base a later `update` merges against.
  const base = await recordGeneratedBase(dir).then(
    () => null,
    (e: Error) => e.message,
  );
  return base
    ? { status: 'committed', ...kept, message: `the base for a later update was not recorded: ${base}` }
    : { status: 'committed', ...kept };
}
