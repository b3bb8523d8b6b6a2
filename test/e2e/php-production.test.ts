/**
 * The PHP production server (bin/start: nginx + PHP-FPM, the project's own config/), as
 * `make start` runs it inside the Debian 13 root, held to what PHP's built-in server got
 * wrong before (issue 17): requests already sent when SIGTERM arrives are all answered,
 * a declared body over 1 MiB is refused from the headers alone, protocol errors get a JSON
 * answer at once, and each PHP worker keeps its database connection between requests
 * instead of opening one per request (and replaces it when the database drops it). A
 * drain that cannot finish ends at DRAIN_TIMEOUT with exit status 1.
 */
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { databases } from '../../src/databases/index.js';
import { binPath, tempDir } from '../cli/run-cli.js';
import { createDatabase, probeDatabase } from '../support/databases.js';
import { freePort, runOk, startService, stopAll, type Env } from '../support/processes.js';
import { skipBecause } from '../skip.js';
import { runtime } from './runtimes/php.js';

const WORKERS = 4;
const IN_FLIGHT = 20;
const SIGTERM_RUNS = 5;

const runtimeReason = await runtime.unavailable();

afterAll(async () => {
  await stopAll();
});

describe.concurrent('PHP production server (nginx + PHP-FPM in Debian 13)', () => {
  for (const db of ['postgres', 'mysql'] as const) {
    const title = `PHP × ${databases[db].label}`;
    it(`${title}: SIGTERM answers ${IN_FLIGHT} in-flight POSTs (${SIGTERM_RUNS} runs), 413 from the declared length, JSON answers to protocol errors, one persistent connection per worker`, async (ctx) => {
      const dbState = await probeDatabase(db);
      const reason = runtimeReason ?? (dbState.available ? null : dbState.reason);
      if (reason) skipBecause(ctx, reason);
      await checkProductionServer(db);
    }, 10 * 60_000);
  }
});

async function checkProductionServer(db: 'postgres' | 'mysql'): Promise<void> {
  const work = await tempDir(`php-production-${db}`);
  const dir = path.join(work, 'app');
  const database = await createDatabase(db, `php_prod_${db}`);
  try {
    const env: Env = { DATABASE_URL: database.url, LOG_LEVEL: 'warn', PHP_FPM_WORKERS: String(WORKERS), PORT: undefined };
    const makeVars = Object.entries(runtime.makeVars).map(([k, v]) => `${k}=${v}`);
    await runOk(process.execPath, [binPath, dir, '--lang', 'php', '--db', db, '--yes', '--no-git'], {
      cwd: work,
      env: { CI: '' },
      timeoutMs: 60_000,
    });
    await runtime.install(dir, { ...process.env, DATABASE_URL: database.url });
    const migrate = await runtime.wrap!('make', ['--no-print-directory', 'migrate', ...makeVars], dir);
    await runOk(migrate.command, migrate.args, { cwd: dir, env, timeoutMs: 120_000 });

    const boot = async (run: string) => {
      const port = await freePort();
      const start = await runtime.wrap!('make', ['--no-print-directory', 'start', ...makeVars], dir);
      const service = startService(start.command, start.args, {
        cwd: dir,
        env: { ...env, PORT: String(port) },
        logFile: path.join(work, `service-${run}.log`),
      });
      const base = `http://127.0.0.1:${port}`;
      await service.waitForHttp(`${base}/health`, { timeoutMs: 60_000, expectStatus: [200] });
      return { service, base, port };
    };

    // Persistent connections: after a burst of requests, the workers still hold theirs open
    // (one per request would leave none), never more than one each; stopping closes them.
    {
      const { service, base, port } = await boot('connections');
      for (let i = 0; i < 10; i++) expect((await fetch(`${base}/items?limit=1`)).status).toBe(200);
      const burst = await Promise.all(Array.from({ length: 40 }, () => fetch(`${base}/items?limit=1`).then((r) => r.status)));
      expect(burst).toEqual(Array(40).fill(200));
      const open = await openConnections(db, database.url);
      expect(open, 'connections to the app database held between requests').toBeGreaterThanOrEqual(1);
      expect(open, `at most one per PHP-FPM worker (${WORKERS})`).toBeLessThanOrEqual(WORKERS);
      console.log(`[php × ${db}] after 50 requests: ${open} persistent connection(s) open for ${WORKERS} workers`);

      // A persistent connection the server has dropped (a restart, a failover) is replaced
      // on the next request, not answered with 500.
      await dropConnections(db, database.url);
      const afterDrop = await Promise.all(Array.from({ length: 12 }, () => fetch(`${base}/items?limit=1`).then((r) => r.status)));
      expect(afterDrop, 'requests right after the database dropped every connection').toEqual(Array(12).fill(200));

      // A declared length over the limit is answered at once; the 2 GiB are never sent.
      const started = Date.now();
      const answer = await rawExchange(port, [
        'POST /items HTTP/1.1',
        'Host: localhost',
        'Content-Type: application/json',
        'Content-Length: 2147483648',
        '',
        '{"name":"x',
      ].join('\r\n'));
      expect(answer, 'a 2 GiB Content-Length with 10 bytes sent').toMatch(/^HTTP\/1\.1 413 [^\r]*\r\n/);
      expect(answer).toMatch(/\r\n\r\n\{"error":"[^"]+"\}$/);
      // Answered at once (nginx then lingers a few seconds for the rest before closing).
      expect(Date.now() - started).toBeLessThan(2_000);

      // Protocol edges PHP's built-in server got wrong (no answer, a hang, HTML): nginx answers
      // each at once, as JSON.
      const edges: [string, string, RegExp][] = [
        ['two different Content-Length headers', 'POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":1}', /^HTTP\/1\.1 400 /],
        ['Content-Length: -1', 'POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', /^HTTP\/1\.1 400 /],
        ['a bad chunk size', 'POST /items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', /^HTTP\/1\.1 400 /],
        ['a 16 KB path', `GET /${'a'.repeat(16_384)} HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 414 /],
        ['CONNECT', 'CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 4\d\d /],
        ['FOO /items', 'FOO /items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 (405|501) /],
      ];
      for (const [what, request, status] of edges) {
        const response = await rawExchange(port, request);
        expect(response, what).toMatch(status);
        expect(response, what).toMatch(/\r\ncontent-type: application\/json\r\n/i);
      }
      const pipelined = await rawExchange(
        port,
        'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2) + 'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        { untilClose: true },
      );
      expect(pipelined.match(/^HTTP\/1\.1 200 /gm), 'three pipelined requests, three answers').toHaveLength(3);

      const stopped = await service.stop('SIGTERM', 30_000);
      expect(stopped.exitedCleanly, service.tail(30)).toBe(true);
      // The server notices a closed connection as its session ends, a moment later.
      let left = await openConnections(db, database.url);
      for (let i = 0; left > 0 && i < 20; i++) {
        await delay(100);
        left = await openConnections(db, database.url);
      }
      expect(left, 'connections left open after the server stopped').toBe(0);
    }

    // SIGTERM with requests in flight: each of 20 connections has sent its headers and all
    // but the last bytes of its body when the signal arrives, so none can have been answered
    // yet; the last bytes follow the signal, and the 20 then queue for 4 PHP workers. Every
    // one is answered, none reset.
    const body = JSON.stringify({ name: 'in flight', description: 'x'.repeat(50_000) });
    const head = `POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const held = 16;
    for (let run = 1; run <= SIGTERM_RUNS; run++) {
      const { service, port } = await boot(`sigterm-${run}`);
      const posts = await Promise.all(Array.from({ length: IN_FLIGHT }, () => partialExchange(port, head + body.slice(0, -held))));
      await delay(100);
      const stopping = service.stop('SIGTERM', 60_000);
      await delay(100);
      const responses = await Promise.all(posts.map((post) => post.finish(body.slice(-held))));
      const stopped = await stopping;
      const statuses = responses.map((r) => /^HTTP\/1\.1 (\d{3}) /.exec(r)?.[1] ?? `no response (${JSON.stringify(r.slice(0, 40))})`);
      expect(statuses, `run ${run}: every request in flight at SIGTERM is answered\n${service.tail(30)}`).toEqual(
        Array(IN_FLIGHT).fill('201'),
      );
      expect(stopped.exitedCleanly, `run ${run}\n${service.tail(30)}`).toBe(true);
    }
    console.log(`[php × ${db}] SIGTERM with ${IN_FLIGHT} POSTs in flight: all answered in ${SIGTERM_RUNS} of ${SIGTERM_RUNS} runs`);

    // The drain has a deadline: a request that never finishes (here, a body that never
    // arrives) is cut after DRAIN_TIMEOUT, and bin/start exits 1 saying so.
    if (db === 'postgres') {
      const port = await freePort();
      const command = await runtime.wrap!('sh', ['-c', `exec bin/start --php-fpm=${runtime.makeVars.PHP_FPM}`], dir);
      const server = startService(command.command, command.args, {
        cwd: dir,
        env: { ...env, PORT: String(port), DRAIN_TIMEOUT: '2' },
        logFile: path.join(work, 'service-deadline.log'),
      });
      await server.waitForHttp(`http://127.0.0.1:${port}/health/live`, { timeoutMs: 60_000, expectStatus: [200] });
      const stalled = connect(port, '127.0.0.1');
      stalled.on('error', () => {});
      stalled.write('POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"name":');
      await delay(200);
      const signalled = Date.now();
      const stopped = await server.stop('SIGTERM', 20_000);
      stalled.destroy();
      expect(stopped, server.tail(20)).toMatchObject({ exitedCleanly: true, code: 1 });
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(server.output()).toMatch(/requests still running after DRAIN_TIMEOUT=2s/);
    }
  } finally {
    await database.drop();
  }
  await rm(work, { recursive: true, force: true });
}

/** Sessions other than our own connected to the database the URL names. */
async function openConnections(db: 'postgres' | 'mysql', url: string): Promise<number> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (db === 'postgres') {
    const client = new pg.Client({ connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      const result = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      return Number(result.rows[0]!.n);
    } finally {
      await client.end();
    }
  }
  const connection = await mysql.createConnection(process.env.MYSQL_ADMIN_URL || 'mysql://root@127.0.0.1:3306/');
  try {
    const [rows] = await connection.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [
      name,
    ]);
    return Number((rows as { n: number }[])[0]!.n);
  } finally {
    await connection.end();
  }
}

/**
 * Opens a connection and sends `start`; resolves once it is written. `finish(rest)` sends
 * the rest and resolves with everything received until the server closes (or 30 s pass).
 */
function partialExchange(port: number, start: string): Promise<{ finish(rest: string): Promise<string> }> {
  return new Promise((resolveStarted, rejectStarted) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let ended: (text: string) => void = () => {};
    const done = new Promise<string>((resolve) => {
      ended = resolve;
    });
    const timer = setTimeout(() => socket.destroy(), 30_000);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      ended(received);
    });
    socket.on('error', (error) => {
      if (!socket.writable && received === '') rejectStarted(error);
    });
    socket.on('connect', () => {
      socket.write(start, () =>
        resolveStarted({
          finish(rest: string) {
            socket.write(rest);
            return done;
          },
        }),
      );
    });
  });
}

/** Ends every session of the database the URL names, as a server restart would. */
async function dropConnections(db: 'postgres' | 'mysql', url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (db === 'postgres') {
    const client = new pg.Client({ connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    } finally {
      await client.end();
    }
    return;
  }
  const connection = await mysql.createConnection(process.env.MYSQL_ADMIN_URL || 'mysql://root@127.0.0.1:3306/');
  try {
    const [rows] = await connection.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [name]);
    for (const { id } of rows as { id: number }[]) await connection.query('KILL ?', [id]);
  } finally {
    await connection.end();
  }
}

/**
 * Sends raw bytes; returns the response once its body is complete (by its Content-Length;
 * with `untilClose`, once the server closes), or whatever came back within 5 s.
 */
function rawExchange(port: number, request: string, { untilClose = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, 5_000);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const [head, ...rest] = received.split('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(head ?? '')?.[1];
      if (!untilClose && length !== undefined && rest.join('\r\n\r\n').length >= Number(length)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (received) resolve(received);
      else reject(error);
    });
  });
}
