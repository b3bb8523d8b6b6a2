/**
 * checkFrozenDatabase against a small service whose "database" is a line-echo TCP server
 * reached through the freezable proxy, over one kept-open connection (as a pool keeps
 * them). The service can be built with each defect the check looks for, so the check is
 * shown to catch it: no deadline on the health query, no deadline on item queries, and a
 * connection that, once timed out, is never replaced.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFrozenDatabase, startFreezableProxy, waitUntilIdle, type FreezableProxy } from '../../support/frozen-database.js';

type Fault = 'health-waits' | 'items-wait' | 'never-reconnects';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function echoDatabase(): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

/** One connection; a query is a line sent and its echo read back, within `deadlineMs` if given. */
function connection(port: number) {
  let socket: net.Socket | undefined;
  let broken = false;
  let waiting: ((line: string) => void)[] = [];
  let buffered = '';
  const open = () => {
    socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        waiting.shift()?.(line);
      }
    });
  };
  open();
  return {
    get broken() {
      return broken;
    },
    /** Drops the connection (its late answers would be misread) and opens a new one. */
    replace() {
      socket?.destroy();
      waiting = [];
      buffered = '';
      broken = false;
      open();
    },
    query(deadlineMs?: number): Promise<boolean> {
      return new Promise((resolve) => {
        const timer = deadlineMs === undefined ? undefined : setTimeout(() => ((broken = true), resolve(false)), deadlineMs);
        waiting.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
        socket!.write('select 1\n');
      });
    },
    close() {
      socket?.destroy();
    },
  };
}

async function service(proxy: FreezableProxy, faults: Fault[] = []): Promise<string> {
  const db = connection(proxy.port);
  const server = http.createServer(async (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (db.broken) {
      // A connection that timed out may still get its late answer: drop it, or stay broken.
      if (faults.includes('never-reconnects')) {
        return req.url === '/health' ? json(503, { status: 'error', database: 'down' }) : json(500, { error: 'internal server error' });
      }
      db.replace();
    }
    if (req.url === '/health') {
      const up = await db.query(faults.includes('health-waits') ? undefined : 500);
      return up ? json(200, { status: 'ok', database: 'up' }) : json(503, { status: 'error', database: 'down' });
    }
    const answered = await db.query(faults.includes('items-wait') ? undefined : 500);
    return answered ? json(200, []) : json(500, { error: 'internal server error' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    db.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

async function setUp(faults: Fault[] = []) {
  const proxy = await startFreezableProxy({ host: '127.0.0.1', port: await echoDatabase() });
  closers.push(() => proxy.close());
  return { proxy, base: await service(proxy, faults) };
}

const fast = { healthBoundMs: 1_500, itemsBoundMs: 1_500, itemRequests: 3, recoveryMs: 2_000 };
const failedNames = (report: { failed: { check: string }[] }) => report.failed.map((f) => f.check);

describe('checkFrozenDatabase', () => {
  it('passes a service with deadlines that recovers after the thaw', async () => {
    const { proxy, base } = await setUp();
    const report = await checkFrozenDatabase(base, proxy, fast);
    expect(report.failed).toEqual([]);
    expect(report.passed).toHaveLength(5);
    expect(report.summary).toMatch(/^idle after \d+ ms; \/health 503 in \d+ ms; \/items 500 in \d+ ms, 500 in \d+ ms, 500 in \d+ ms; recovered/);
  });

  it('fails a service whose /health waits for the frozen database', async () => {
    const { proxy, base } = await setUp(['health-waits']);
    const report = await checkFrozenDatabase(base, proxy, { ...fast, healthBoundMs: 800 });
    expect(failedNames(report)).toContainEqual(expect.stringMatching(/\/health answers 503/));
  });

  it('fails a service whose item routes wait for the frozen database', async () => {
    const { proxy, base } = await setUp(['items-wait']);
    const report = await checkFrozenDatabase(base, proxy, { ...fast, itemsBoundMs: 800 });
    expect(failedNames(report)).toEqual([expect.stringMatching(/concurrent item requests each answer a 5xx JSON error/)]);
  });

  it('fails a service that does not recover once the database answers again', async () => {
    const { proxy, base } = await setUp(['never-reconnects']);
    const report = await checkFrozenDatabase(base, proxy, fast);
    expect(failedNames(report)).toEqual([expect.stringMatching(/after the thaw/)]);
  });
});

/** A service of `threads` request threads whose every request takes `busyMs` until `busyUntil`, then 5 ms. */
async function queueingService(threads: number, busyMs: number, busyUntil: number): Promise<string> {
  let running = 0;
  const queue: (() => void)[] = [];
  const server = http.createServer((_req, res) => {
    const work = () => {
      running++;
      setTimeout(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status":"ok"}');
          running--;
          queue.shift()?.();
        },
        Date.now() < busyUntil ? busyMs : 5,
      );
    };
    if (running < threads) work();
    else queue.push(work);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe('waitUntilIdle', () => {
  it('waits while earlier requests are still queued, and resolves once they are done', async () => {
    const started = Date.now();
    const base = await queueingService(2, 600, started + 2_000);
    const waited = await waitUntilIdle(base, { burst: 4, quickMs: 300, maxMs: 10_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(started + 2_000);
    expect(waited).toBeGreaterThan(0);
  });

  it('fails when the service never settles', async () => {
    const base = await queueingService(2, 600, Date.now() + 60_000);
    await expect(waitUntilIdle(base, { burst: 4, quickMs: 300, maxMs: 2_000 })).rejects.toThrow(/still busy/);
  });

  it('resolves at once for an idle service', async () => {
    const base = await queueingService(2, 600, 0);
    const waited = await waitUntilIdle(base, { burst: 4, quickMs: 300, maxMs: 10_000 });
    expect(waited).toBeLessThan(2_000);
  });
});
