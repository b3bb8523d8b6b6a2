import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEnv } from 'node:util';
import type { TestProject } from 'vitest/node';

// The functional tests' service: the one at BASE_URL, or else the built server (what
// `make start` runs) on a free port of 127.0.0.1 against the test database, stopped with
// SIGTERM afterwards. The tests only see its URL.

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const READY_TIMEOUT_MS = 30_000;
const REMOTE_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 15_000;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.BASE_URL;
  if (given) {
    const baseUrl = parseBaseUrl(given);
    // One clear failure when nothing answers there, rather than one per test.
    await waitUntilLive(baseUrl, null, REMOTE_TIMEOUT_MS);
    project.provide('baseUrl', baseUrl);
    return undefined;
  }
  const databaseUrl = testDatabaseUrl();
  // Built as `make start` builds it, so the tests exercise the compiled JavaScript that ships.
  execFileSync(process.execPath, ['node_modules/.bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // Pending migrations (SQL) or indexes (MongoDB), as the container does before the server starts.
  execFileSync(process.execPath, ['dist/migrate.js'], {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const server = spawn(process.execPath, ['--enable-source-maps', 'dist/server.js'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(server, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  try {
    await waitUntilLive(baseUrl, server);
  } catch (err) {
    server.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\nserver output:\n${recent(output)}`);
  }
  project.provide('baseUrl', baseUrl);

  return async () => {
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const [code, signal] = await exited;
    clearTimeout(killer);
    // A graceful shutdown is part of what is tested: anything but exit 0 fails the run.
    if (code !== 0) {
      const why =
        signal === 'SIGKILL'
          ? `did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`
          : `exited with ${code ?? signal} after SIGTERM`;
      throw new Error(`the server ${why}\nserver output:\n${recent(output)}`);
    }
  };
}

/**
 * TEST_DATABASE_URL, else DATABASE_URL, as the integration tests choose it: the environment
 * first, then `.env`. Read here rather than imported from src, so no application code loads.
 */
function testDatabaseUrl(): string {
  const dotenv = existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {};
  const env = { ...dotenv, ...process.env };
  const url = env.TEST_DATABASE_URL || env.DATABASE_URL;
  if (!url) {
    throw new Error('Without BASE_URL the functional tests start the service: set TEST_DATABASE_URL or DATABASE_URL');
  }
  return url;
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`BASE_URL must be an http(s) URL such as http://localhost:3000, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`BASE_URL must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  // Without a trailing slash, so `${baseUrl}/items` keeps a path prefix such as /api.
  return url.href.replace(/\/+$/, '');
}

/** A port the kernel has just handed out, released for the server to take. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

async function waitUntilLive(
  baseUrl: string,
  server: ChildProcess | null,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server && server.exitCode !== null)
      throw new Error(`the server exited with ${server.exitCode} before it answered`);
    try {
      const res = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${baseUrl}/health/live did not answer 200 within ${timeoutMs / 1000} s`);
}

/** The end of the server's log, where the reason it failed is. */
function recent(output: string[]): string {
  return output.join('').split('\n').slice(-40).join('\n');
}
