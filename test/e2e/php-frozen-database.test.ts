/**
 * The PHP production server (bin/start: nginx + PHP-FPM, inside the Debian 13 root) with its
 * database frozen (issue 17): a TCP proxy between them stops passing bytes, as a database
 * stopped with SIGSTOP does, while the workers hold persistent connections through it.
 * `/health` must answer 503 within the contract's 2 s, item routes must answer (5xx JSON)
 * within the server's bounds rather than wait for the whole freeze, and the service must
 * recover by itself once the database answers again.
 */
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { databases } from '../../src/databases/index.js';
import { binPath, tempDir } from '../cli/run-cli.js';
import { createDatabase, probeDatabase } from '../support/databases.js';
import { freePort, runOk, startService, stopAll, type Env } from '../support/processes.js';
import { skipBecause } from '../skip.js';
import { runtime } from './runtimes/php.js';

const WORKERS = 4;
/** The contract's 2 s, plus the time a loaded machine takes to pass the answer on. */
const HEALTH_BOUND_MS = 3_000;
/** PHP-FPM ends a worker stuck on the frozen connection after 8 s, nginx gives up waiting for one after 10 s. */
const ITEMS_BOUND_MS = 13_000;

const runtimeReason = await runtime.unavailable();

afterAll(async () => {
  await stopAll();
});

interface FreezableProxy {
  port: number;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** Frozen: bytes stay where they are and are delivered on thaw; connections stay open. */
async function startFreezableProxy(target: { host: string; port: number }): Promise<FreezableProxy> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const pending: (() => void)[] = [];
  const pipe = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk: Buffer) => (frozen ? pending.push(() => to.write(chunk)) : to.write(chunk)));
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const deliver of pending.splice(0)) deliver();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function timed(url: string): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  const body = await response.text();
  return { status: response.status, body, ms: Date.now() - started };
}

describe.concurrent('PHP production server with a frozen database', () => {
  for (const db of ['postgres', 'mysql'] as const) {
    it(`PHP × ${databases[db].label}: /health 503 within 2 s, items answered within the server's bounds, recovery after thaw`, async (ctx) => {
      const dbState = await probeDatabase(db);
      const reason = runtimeReason ?? (dbState.available ? null : dbState.reason);
      if (reason) skipBecause(ctx, reason);
      await checkFrozenDatabase(db);
    }, 5 * 60_000);
  }
});

async function checkFrozenDatabase(db: 'postgres' | 'mysql'): Promise<void> {
  const work = await tempDir(`php-frozen-${db}`);
  const dir = path.join(work, 'app');
  const database = await createDatabase(db, `php_frozen_${db}`);
  const real = new URL(database.url);
  const proxy = await startFreezableProxy({ host: real.hostname, port: Number(real.port) });
  try {
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
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

    const port = await freePort();
    const start = await runtime.wrap!('make', ['--no-print-directory', 'start', ...makeVars], dir);
    const service = startService(start.command, start.args, {
      cwd: dir,
      env: { ...env, DATABASE_URL: proxied.toString(), PORT: String(port) },
      logFile: path.join(work, 'service.log'),
    });
    const base = `http://127.0.0.1:${port}`;
    await service.waitForHttp(`${base}/health`, { timeoutMs: 60_000, expectStatus: [200] });
    // Every worker has its persistent connection open, as on a server running a while.
    const warm = await Promise.all(Array.from({ length: 20 }, () => timed(`${base}/items?limit=1`)));
    expect(warm.map((r) => r.status)).toEqual(Array(20).fill(200));

    proxy.freeze();
    const health = await timed(`${base}/health`);
    expect(health.ms, `/health while frozen took ${health.ms} ms`).toBeLessThan(HEALTH_BOUND_MS);
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({ status: 'error', database: 'down' });
    const items = await Promise.all(Array.from({ length: WORKERS + 1 }, () => timed(`${base}/items?limit=1`)));
    for (const r of items) {
      expect(r.ms, `/items while frozen took ${r.ms} ms`).toBeLessThan(ITEMS_BOUND_MS);
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(JSON.parse(r.body)).toEqual({ error: expect.any(String) });
    }
    console.log(
      `[php × ${db}] frozen database: /health ${health.status} in ${health.ms} ms; /items ${items.map((r) => `${r.status} in ${r.ms} ms`).join(', ')}`,
    );

    proxy.thaw();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await timed(`${base}/items?limit=1`)).status;
      if (recovered !== 200) await delay(200);
    }
    expect(recovered, 'the service recovers by itself once the database answers').toBe(200);
    const stopped = await service.stop('SIGTERM', 30_000);
    expect(stopped.exitedCleanly, service.tail(30)).toBe(true);
  } finally {
    proxy.thaw();
    await proxy.close();
    await database.drop();
  }
  await rm(work, { recursive: true, force: true });
}
