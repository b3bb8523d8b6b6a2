import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, run, runOk, startService, stopAll } from '../../support/processes.js';

let dir: string;

// A well-behaved service: on SIGTERM it stops accepting, lets requests finish, exits 0.
const GRACEFUL_SERVER = `
import { createServer } from 'node:http';
let requests = 0;
const server = createServer((req, res) => {
  requests++;
  const status = requests <= Number(process.env.FAIL_FIRST ?? 0) ? 503 : 200;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ requests }));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => {
  console.log('SIGTERM received, closing');
  server.close(() => process.exit(0));
});
`;

const IGNORES_SIGTERM = `
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
console.log('pid ' + process.pid);
setInterval(() => {}, 1000);
`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is dead for our purposes.
  return !/\) Z /.test(readFileSyncSafe(`/proc/${pid}/stat`));
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return predicate();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cbs-processes-'));
  await writeFile(join(dir, 'server.mjs'), GRACEFUL_SERVER);
  await writeFile(join(dir, 'ignores-sigterm.mjs'), IGNORES_SIGTERM);
});

afterAll(async () => {
  await stopAll(2000);
  await rm(dir, { recursive: true, force: true });
});

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('startService', () => {
  it('starts a server, waits for HTTP, and stops it cleanly with SIGTERM', async () => {
    const port = await freePort();
    const logFile = join(dir, 'server.log');
    const service = startService(process.execPath, ['server.mjs'], { cwd: dir, env: { PORT: String(port) }, logFile });
    await service.waitForHttp(`http://127.0.0.1:${port}/health`, { timeoutMs: 10_000, expectStatus: [200] });
    expect(service.output()).toContain(`listening on ${port}`);
    const result = await service.stop();
    expect(result).toEqual({ exitedCleanly: true, code: 0, signal: null });
    expect(service.output()).toContain('SIGTERM received');
    expect(isRunning(service.pid)).toBe(false);
    expect(await readFile(logFile, 'utf8')).toContain('SIGTERM received');
    // Stopping twice is harmless and reports the same outcome.
    expect(await service.stop()).toEqual(result);
  });

  it('counts a graceful stop through make as clean, whatever make itself reports', async () => {
    // The e2e tests boot services with `make start`; shell recipes make make's own exit racy.
    await writeFile(join(dir, 'Makefile'), 'direct:\n\t"$(NODE)" server.mjs\nshell:\n\tcd . && "$(NODE)" server.mjs\n');
    for (const target of ['direct', 'shell', 'shell', 'shell']) {
      const port = await freePort();
      const service = startService('make', ['--no-print-directory', target, `NODE=${process.execPath}`], { cwd: dir, env: { PORT: String(port) } });
      await service.waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000 });
      const result = await service.stop('SIGTERM', 5000);
      expect(result.exitedCleanly, `${target}: ${JSON.stringify(result)}\n${service.output()}`).toBe(true);
      expect(service.output()).toContain('SIGTERM received, closing');
    }
  });

  it('keeps polling until an expected status arrives', async () => {
    const port = await freePort();
    const service = startService(process.execPath, ['server.mjs'], { cwd: dir, env: { PORT: String(port), FAIL_FIRST: '3' } });
    await service.waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000, expectStatus: [200] });
    const body = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { requests: number };
    expect(body.requests).toBeGreaterThan(4);
    await service.stop();
  });

  it('gives up at the timeout, naming the last status and the output', async () => {
    const port = await freePort();
    const service = startService(process.execPath, ['server.mjs'], { cwd: dir, env: { PORT: String(port), FAIL_FIRST: '1000000' } });
    await expect(service.waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 1500, expectStatus: [200] })).rejects.toThrow(
      /did not answer as expected within 1500 ms \(last response was HTTP 503[\s\S]*listening on/,
    );
    await service.stop();
  });

  it('fails early, with the output, when the process exits before answering', async () => {
    const service = startService(process.execPath, ['-e', 'console.error("boom: DATABASE_URL is not set"); process.exit(3)'], { cwd: dir });
    const started = Date.now();
    await expect(service.waitForHttp(`http://127.0.0.1:${await freePort()}/`, { timeoutMs: 30_000 })).rejects.toThrow(
      /exited \(code 3, signal null\) before[\s\S]*boom: DATABASE_URL is not set/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await service.stop()).toEqual({ exitedCleanly: false, code: 3, signal: null });
  });

  it('SIGKILLs a process that ignores SIGTERM and reports it', async () => {
    const service = startService(process.execPath, ['ignores-sigterm.mjs'], { cwd: dir });
    await waitUntil(() => service.output().includes('pid'), 5000);
    const started = Date.now();
    const result = await service.stop('SIGTERM', 700);
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(result).toEqual({ exitedCleanly: false, code: null, signal: 'SIGKILL' });
    expect(service.output()).toContain('ignoring SIGTERM');
    expect(isRunning(service.pid)).toBe(false);
  });

  it('reaches grandchildren: a wrapper that exits leaves nothing behind', async () => {
    // sh dies on SIGTERM at once; the node grandchild ignores it and must be killed too.
    const service = startService('sh', ['-c', `${JSON.stringify(process.execPath)} ignores-sigterm.mjs & wait`], { cwd: dir });
    expect(await waitUntil(() => /pid \d+/.test(service.output()), 5000)).toBe(true);
    const grandchild = Number(/pid (\d+)/.exec(service.output())?.[1]);
    expect(isRunning(grandchild)).toBe(true);
    const result = await service.stop('SIGTERM', 700);
    expect(result.exitedCleanly).toBe(false);
    expect(await waitUntil(() => !isRunning(grandchild), 2000)).toBe(true);
  });

  it('merges env over process.env; undefined removes a variable', async () => {
    process.env.CBS_INHERITED = 'inherited';
    process.env.CBS_REMOVED = 'should not be seen';
    try {
      const service = startService(
        process.execPath,
        ['-e', 'console.log(JSON.stringify([process.env.CBS_INHERITED, process.env.CBS_SET, process.env.CBS_REMOVED ?? "unset"]))'],
        { cwd: dir, env: { CBS_SET: 'set', CBS_REMOVED: undefined } },
      );
      expect(await service.waitForExit(5000)).toEqual({ code: 0, signal: null });
      expect(service.output()).toContain('["inherited","set","unset"]');
    } finally {
      delete process.env.CBS_INHERITED;
      delete process.env.CBS_REMOVED;
    }
  });

  it('waitForExit rejects, with the output, when the process keeps running', async () => {
    const service = startService(process.execPath, ['ignores-sigterm.mjs'], { cwd: dir });
    // On a busy machine Node may take longer than 300 ms just to start and print.
    await waitUntil(() => service.output().includes('pid'), 5000);
    await expect(service.waitForExit(300)).rejects.toThrow(/still running after 300 ms[\s\S]*pid \d+/);
    await service.stop('SIGKILL');
  });

  it('throws a helpful error for a command that does not exist', () => {
    expect(() => startService('cbs-no-such-command', [], { cwd: dir })).toThrow(/is `cbs-no-such-command` installed and on PATH/);
  });

  it('stopAll stops every running service', async () => {
    const ports = [await freePort(), await freePort()];
    const services = ports.map((port) => startService(process.execPath, ['server.mjs'], { cwd: dir, env: { PORT: String(port) } }));
    await Promise.all(services.map((s, i) => s.waitForHttp(`http://127.0.0.1:${ports[i]}/`, { timeoutMs: 10_000 })));
    const results = await stopAll();
    expect(results).toHaveLength(2);
    expect(results.every((r) => r.exitedCleanly)).toBe(true);
    expect(services.every((s) => !isRunning(s.pid))).toBe(true);
  });
});

describe('run / runOk', () => {
  it('captures stdout, stderr and the exit code, and feeds stdin', async () => {
    const result = await run(process.execPath, ['-e', 'process.stdin.pipe(process.stdout); console.error("to stderr"); process.exitCode = 4'], {
      cwd: dir,
      timeoutMs: 10_000,
      input: 'from stdin',
    });
    expect(result).toEqual({ code: 4, signal: null, stdout: 'from stdin', stderr: 'to stderr\n', timedOut: false });
  });

  it('kills the whole group on timeout and never hangs', async () => {
    const started = Date.now();
    const result = await run('sh', ['-c', 'sleep 30 & echo "child $!"; sleep 30'], { cwd: dir, timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.timedOut).toBe(true);
    expect(result.code).toBeNull();
    const child = Number(/child (\d+)/.exec(result.stdout)?.[1]);
    expect(await waitUntil(() => !isRunning(child), 3000)).toBe(true);
  });

  it('returns even when a background process keeps its output pipe open', async () => {
    const started = Date.now();
    const result = await run('sh', ['-c', 'sleep 30 & echo "child $!"'], { cwd: dir, timeoutMs: 20_000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.code).toBe(0);
    const child = Number(/child (\d+)/.exec(result.stdout)?.[1]);
    process.kill(child, 'SIGKILL');
  });

  it('rejects with advice when the command does not exist', async () => {
    await expect(run('cbs-no-such-command', [], { cwd: dir, timeoutMs: 5000 })).rejects.toThrow(/is `cbs-no-such-command` installed and on PATH/);
  });

  it('runOk returns the result on success', async () => {
    const result = await runOk(process.execPath, ['-e', 'console.log("fine")'], { cwd: dir, timeoutMs: 10_000 });
    expect(result.stdout).toBe('fine\n');
  });

  it('runOk throws with the command, the exit code and the end of the output', async () => {
    const script = 'for (let i = 0; i < 80; i++) console.log("line " + i); console.error("the actual problem"); process.exit(2)';
    const error = await runOk(process.execPath, ['-e', script], { cwd: dir, timeoutMs: 10_000 }).then(
      () => new Error('runOk did not throw'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain('exited with code 2');
    expect(error.message).toContain(`(in ${dir})`);
    expect(error.message).toContain('the actual problem');
    expect(error.message).toContain('line 79');
    expect(error.message).not.toContain('line 10\n');
  });

  it('runOk reports a timeout as such', async () => {
    await expect(runOk('sleep', ['10'], { cwd: dir, timeoutMs: 300 })).rejects.toThrow(/^`sleep 10` \(in .*\) timed out after 300 ms and was killed/);
  });
});
