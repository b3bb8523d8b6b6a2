import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin/create-backend-starter.js');

if (!existsSync(path.join(repoRoot, 'dist/src/cli.js'))) {
  throw new Error('The CLI is not built: run `npm run build` (or `npm test`, which builds first).');
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the built binary as a user would, with no terminal: stdin is closed, so any
 * prompt would fail rather than hang; the timeout guards the "never hangs" promise.
 */
export function runCli(
  args: string[],
  opts: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    onStderr?: (chunk: string, child: ReturnType<typeof spawn>) => void;
    timeoutMs?: number;
    /** A command to run the CLI under (`strace …`); its own arguments first. */
    prefix?: string[];
    onSpawn?: (child: ReturnType<typeof spawn>) => void;
  },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const [command, ...before] = opts.prefix ?? [process.execPath];
    const child = spawn(command!, [...before, ...(opts.prefix ? [process.execPath] : []), binPath, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, CI: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(String(d), child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not finish within ${opts.timeoutMs ?? 20_000} ms: ${args.join(' ')}\n${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export async function tempDir(label = 'cli'): Promise<string> {
  return mkdtemp(path.join(process.env.CBS_TMP_ROOT ?? os.tmpdir(), `cbs-${label}-`));
}

export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, prefix: string) {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const rel = prefix + e.name;
      if (e.isDirectory()) {
        if (e.name === '.git') {
          out.push(`${rel}/`);
          continue;
        }
        await walk(path.join(d, e.name), `${rel}/`);
      } else out.push(rel);
    }
  }
  await walk(dir, '');
  return out.sort();
}
