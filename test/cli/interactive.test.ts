import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { skipBecause } from '../skip.js';
import { binPath, tempDir } from './run-cli.js';

const DOWN = '\x1b[B';
const ENTER = '\r';

/**
 * Drive the CLI in a real pseudo-terminal (util-linux `script`), answering each prompt
 * once it is on screen, as a person would.
 */
function runInTerminal(args: string[], cwd: string, answers: Array<[RegExp, string]>) {
  return new Promise<{ code: number | null; screen: string }>((resolve, reject) => {
    const cmd = [process.execPath, binPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd,
      env: { ...process.env, CI: '', TERM: 'xterm', COLUMNS: '120' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let next = 0;
    const onData = (d: Buffer) => {
      screen += d.toString();
      const plain = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      while (next < answers.length && answers[next]![0].test(plain.slice(consumed))) {
        const [, keys] = answers[next]!;
        consumed = plain.length;
        next++;
        setTimeout(() => child.stdin.write(keys), 50);
      }
    };
    let consumed = 0;
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`interactive run stalled after ${next} answers:\n${screen.slice(-2000)}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

// util-linux `script` (Debian's bsdutils, always installed) gives the CLI a real terminal.
const noScript = existsSync('/usr/bin/script') ? null : '/usr/bin/script (util-linux) is not installed';

describe('in a terminal', () => {
  beforeEach((ctx) => {
    if (noScript) skipBecause(ctx, noScript);
  });

  it('asks only what flags did not answer, with defaults on Enter', async () => {
    const cwd = await tempDir('tty');
    const r = await runInTerminal(['tty-app', '--ci', 'none'], cwd, [
      [/Language/, DOWN + ENTER], // second choice: PHP
      [/Database/, ENTER], // default: PostgreSQL
      [/Project name/, ENTER], // derived from the directory
      [/Add Docker config\?/, 'n' + ENTER],
      [/Add Kubernetes config/, 'n' + ENTER],
      [/Initialise a git repository\?/, 'n' + ENTER],
      [/Install dependencies now\?/, ENTER],
    ]);
    expect(r.code, r.screen.slice(-1500)).toBe(0);
    expect(r.screen).not.toMatch(/CI configuration/);
    // PHP has one framework: nothing to ask.
    expect(r.screen).not.toMatch(/Framework/);
    const answers = JSON.parse(await readFile(path.join(cwd, 'tty-app/.backend-starter.json'), 'utf8')).answers;
    expect(answers).toEqual({
      ci: 'none',
      db: 'postgres',
      docker: false,
      framework: 'symfony',
      git: false,
      kubernetes: false,
      lang: 'php',
      name: 'tty-app',
    });
    expect(existsSync(path.join(cwd, 'tty-app/.git'))).toBe(false);
    expect(existsSync(path.join(cwd, 'tty-app/k8s'))).toBe(false);
  });

  it('asks the framework right after the language, offering that language\'s frameworks', async () => {
    const cwd = await tempDir('tty-framework');
    const r = await runInTerminal(['tty-app', '--db', 'mysql', '--ci', 'none', '--no-docker', '--no-kubernetes', '--no-git', '--no-install'], cwd, [
      [/Language/, ENTER], // default: Node.js
      [/Framework[^]*Fastify[^]*Express/, DOWN + ENTER], // second choice: Express
      [/Project name/, ENTER],
    ]);
    expect(r.code, r.screen.slice(-1500)).toBe(0);
    const plain = r.screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain.indexOf('Framework')).toBeGreaterThan(plain.indexOf('Language'));
    expect(plain).not.toMatch(/FastAPI|Sinatra/);
    const answers = JSON.parse(await readFile(path.join(cwd, 'tty-app/.backend-starter.json'), 'utf8')).answers;
    expect(answers).toMatchObject({ lang: 'node', framework: 'express', db: 'mysql' });
  });

  it('--json never prompts, even in a terminal', async () => {
    const cwd = await tempDir('tty-json');
    const r = await runInTerminal(['tty-app', '--json'], cwd, []);
    expect(r.code).toBe(2);
    expect(r.screen).toContain('"ok":false');
    expect(r.screen).toContain('missing --lang');
    expect(existsSync(path.join(cwd, 'tty-app'))).toBe(false);
  });

  it('Ctrl-C at a prompt cancels cleanly and writes nothing', async () => {
    const cwd = await tempDir('tty-cancel');
    const r = await runInTerminal(['tty-app'], cwd, [[/Language/, '\x03']]);
    expect(r.code).toBe(130);
    expect(r.screen).toContain('Cancelled: nothing was written.');
    expect(existsSync(path.join(cwd, 'tty-app'))).toBe(false);
  });
});
