// The floor for our own output: write the very files the CLI generates (captured
// beforehand by bench/run.mjs) with plain fs, then run the same git commands the CLI runs
// (src/git/git.ts), the same way. Whatever the CLI spends above this is its own overhead.
//
//   node bench/baseline.mjs <fixture.json> <target-directory>
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [fixture, target] = process.argv.slice(2);
const { files } = JSON.parse(readFileSync(fixture, 'utf8'));

for (const f of files) {
  const dest = path.join(target, f.path);
  mkdirSync(path.dirname(dest), { recursive: true });
  writeFileSync(dest, Buffer.from(f.content, 'base64'), { mode: f.mode });
}

const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[k];
const git = (...args) =>
  execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
    cwd: target,
    env,
    stdio: 'pipe',
  });

try {
  git('rev-parse', '--show-toplevel');
  throw new Error(`${target} is inside a git repository; the benchmark needs a directory outside one`);
} catch (err) {
  if (err.status === undefined) throw err;
}
git('init', '--quiet', '--initial-branch=main');
git('add', '--all');
git('commit', '--quiet', '--message', 'Initial commit from create-backend-starter');
