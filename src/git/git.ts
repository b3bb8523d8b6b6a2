import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { recordGeneratedBase } from '../update/base.js';

const exec = promisify(execFile);

export interface GitResult {
  status: 'committed' | 'initialised' | 'skipped';
  /** Why git was skipped or the commit was not made; shown as a warning or note. */
  message?: string;
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

export async function initGitRepository(dir: string): Promise<GitResult> {
  try {
    const { stdout } = await git(dir, ['rev-parse', '--show-toplevel']);
    return {
      status: 'skipped',
      message: `inside the existing git repository ${stdout.trim()}: skipped git init`,
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        status: 'skipped',
        message: 'git was not found on PATH: skipped git init. Install git, then run: git init && git add -A && git commit -m "Initial commit"',
      };
    }
    // Not inside a repository: the normal case.
  }
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  await git(dir, ['add', '--all']);
  try {
    await git(dir, ['commit', '--quiet', '--message', 'Initial commit from create-backend-starter']);
    // The first commit is the pristine output: the base a later `update` merges against.
    const base = await recordGeneratedBase(dir).then(() => null, (e: Error) => e.message);
    return base ? { status: 'committed', message: `the base for a later update was not recorded: ${base}` } : { status: 'committed' };
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    const identity = /user\.(name|email)|tell me who you are|empty ident/i.test(stderr);
    return {
      status: 'initialised',
      message: identity
        ? 'git has no user identity here, so the first commit was not made (files are staged). Set git config user.name and user.email, then run: git commit -m "Initial commit"'
        : `the first commit failed (files are staged): ${stderr.trim().split('\n')[0] ?? 'unknown error'}`,
    };
  }
}
