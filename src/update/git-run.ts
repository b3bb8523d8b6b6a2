import { spawn } from 'node:child_process';

export interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
}

// Same guards as src/git/git.ts: never signed, never hooked, never prompting, and never
// steered at another repository by the caller's GIT_DIR.
const GIT_CONFIG = ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null'];

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY']) delete env[k];
  return env;
}

/** Run git with optional stdin; resolves with the exit code instead of throwing on non-zero. */
export function runGit(cwd: string, args: string[], input?: Buffer | string): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...GIT_CONFIG, ...args], { cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error('git was not found on PATH; update needs git for its three-way merge') : err),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr }));
    child.stdin.on('error', () => {}); // git may exit before reading all of stdin; its exit code tells.
    child.stdin.end(input ?? '');
  });
}

/** Run git and return trimmed stdout, throwing with git's own message on failure. */
export async function git(cwd: string, args: string[], input?: Buffer | string): Promise<string> {
  const r = await runGit(cwd, args, input);
  if (r.code !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout.toString('utf8').trim();
}
