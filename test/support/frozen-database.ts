/**
 * The database freezes (issue 17): it stops answering, as a server stopped with SIGSTOP or
 * behind a hung network path does, while every connection to it stays open.
 *
 * startFreezableProxy sits between a service and its database server. Frozen, it passes no
 * bytes in either direction (they wait and are delivered on thaw) and closes nothing, so
 * pooled connections hang rather than fail. checkFrozenDatabase holds a booted service to
 * the contract's bounds while it is frozen, starting once the service is idle (nothing
 * still queued from an earlier load, see waitUntilIdle): `/health` answers 503 within the
 * contract's 2 s (plus a margin for a loaded machine), item routes answer a 5xx JSON error
 * within the server's own timeouts rather than wait for the whole freeze, and once thawed
 * the service recovers by itself, without a restart.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { startFreezableProxy as startProjectProxy, type FreezableProxy as ProjectProxy } from '../../templates/node/test/freezable-proxy.js';
import { CheckFailure, Checks, excerpt, type CheckReport } from './report.js';

export interface FreezableProxy extends ProjectProxy {
  /** The database URL with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string;
}

/** The generated Node project's own proxy (its frozen-database tests use it), plus `url()`. */
export async function startFreezableProxy(target: { host: string; port: number }): Promise<FreezableProxy> {
  const proxy = await startProjectProxy(target);
  return {
    ...proxy,
    url(databaseUrl) {
      const proxied = new URL(databaseUrl);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      return proxied.toString();
    },
  };
}

/** Where a URL of the database server points: what the proxy forwards to. */
export function proxyTarget(databaseUrl: string, defaultPort: number): { host: string; port: number } {
  const url = new URL(databaseUrl);
  return { host: url.hostname, port: Number(url.port) || defaultPort };
}

export interface FrozenDatabaseOptions {
  /** `/health` while frozen: the contract's 2 s, plus the time a loaded machine takes to pass it on. Default 3 s. */
  healthBoundMs?: number;
  /** Item routes while frozen: each stack's query or pool-acquire timeout, well under a client's patience. Default 15 s. */
  itemsBoundMs?: number;
  /** Concurrent item requests sent while frozen (more than a small pool holds). Default 8. */
  itemRequests?: number;
  /** How long the service has to answer 200 again after the thaw. Default 15 s. */
  recoveryMs?: number;
  /** Each check's ok/FAIL line as it runs. */
  log?: (line: string) => void;
  /** Before the freeze: how the service is found idle (waitUntilIdle). */
  idle?: IdleOptions;
}

export interface IdleOptions {
  /** Concurrent `/health/live` requests in a probe burst. Default 16: every request thread of two workers of eight. */
  burst?: number;
  /** A burst whose every answer takes less than this says nothing is queued ahead of it. Default 1 s. */
  quickMs?: number;
  /** Give up (the service is still busy) after this long. Default 30 s. */
  maxMs?: number;
}

/**
 * Resolves once the service has nothing queued: a burst of concurrent `/health/live`
 * requests (no database work) is answered 200, every one within `quickMs`, twice running.
 *
 * A load test's client stops at its deadline, but a server with a fixed number of threads
 * still holds the requests it had accepted and queued (their clients gone), and works
 * through them first. A fault check started at that moment measures that queue, not the
 * service's own bounds: behind a frozen database, 300 queued requests on 16 threads each
 * wait out their timeouts in turn. New requests queue behind old ones, so a burst answered
 * quickly shows the queue is empty. Returns how long it waited; throws if it never settled.
 */
export async function waitUntilIdle(baseUrl: string, opts: IdleOptions = {}): Promise<number> {
  const burst = opts.burst ?? 16;
  const quickMs = opts.quickMs ?? 1_000;
  const maxMs = opts.maxMs ?? 30_000;
  const base = baseUrl.replace(/\/$/, '');
  const started = Date.now();
  let quickInARow = 0;
  let last: Timed[] = [];
  while (Date.now() - started < maxMs) {
    last = await Promise.all(Array.from({ length: burst }, () => timed(`${base}/health/live`, maxMs)));
    quickInARow = last.every((r) => r.status === 200 && r.ms < quickMs) ? quickInARow + 1 : 0;
    if (quickInARow === 2) return Date.now() - started;
    await delay(100);
  }
  const slowest = last.reduce((worst, r) => (r.ms > worst.ms ? r : worst), last[0]!);
  throw new CheckFailure(
    `${burst} concurrent GET /health/live, each within ${quickMs} ms, twice running\n  expected: within ${maxMs} ms\n  got: still busy; the slowest of the last burst: ${show(slowest)}`,
  );
}

interface Timed {
  status: number;
  body: string;
  ms: number;
  error?: string;
}

async function timed(url: string, giveUpMs: number): Promise<Timed> {
  const started = Date.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(giveUpMs) });
    const body = await response.text();
    return { status: response.status, body, ms: Date.now() - started };
  } catch (error) {
    return { status: 0, body: '', ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

const show = (r: Timed) => (r.error ? `no answer after ${r.ms} ms (${r.error})` : `${r.status} in ${r.ms} ms: ${excerpt(r.body, 160)}`);

function jsonError(r: Timed): boolean {
  try {
    const parsed = JSON.parse(r.body) as unknown;
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string';
  } catch {
    return false;
  }
}

/**
 * Runs against a service whose DATABASE_URL goes through `proxy`; leaves the proxy thawed.
 * The service must be warm (its pool open), as a server that has run a while is.
 */
export async function checkFrozenDatabase(
  baseUrl: string,
  proxy: FreezableProxy,
  opts: FrozenDatabaseOptions = {},
): Promise<CheckReport & { summary: string }> {
  const healthBound = opts.healthBoundMs ?? 3_000;
  const itemsBound = opts.itemsBoundMs ?? 15_000;
  const itemRequests = opts.itemRequests ?? 8;
  const recoveryMs = opts.recoveryMs ?? 15_000;
  const base = baseUrl.replace(/\/$/, '');
  const run = new Checks(opts.log);
  const seen: string[] = [];

  await run.check('before the freeze: the service is idle (nothing queued from earlier requests)', async () => {
    seen.push(`idle after ${await waitUntilIdle(base, opts.idle)} ms`);
  });
  await run.check('before the freeze: /items answers 200', async () => {
    const r = await timed(`${base}/items?limit=1`, 10_000);
    if (r.status !== 200) throw new CheckFailure(`GET /items?limit=1\n  expected: 200\n  got: ${show(r)}`);
  });

  proxy.freeze();
  try {
    await run.check(`frozen database: /health answers 503 {"status":"error","database":"down"} within ${healthBound} ms`, async () => {
      const r = await timed(`${base}/health`, 2 * healthBound);
      seen.push(`/health ${r.status} in ${r.ms} ms`);
      let body: unknown;
      try {
        body = JSON.parse(r.body);
      } catch {
        body = undefined;
      }
      const down = JSON.stringify(body) === JSON.stringify({ status: 'error', database: 'down' });
      if (r.status !== 503 || !down || r.ms >= healthBound) {
        throw new CheckFailure(`GET /health while the database is frozen\n  expected: 503 {"status":"error","database":"down"} within ${healthBound} ms\n  got: ${show(r)}`);
      }
    });
    await run.check(`frozen database: ${itemRequests} concurrent item requests each answer a 5xx JSON error within ${itemsBound} ms`, async () => {
      const answers = await Promise.all(Array.from({ length: itemRequests }, () => timed(`${base}/items?limit=1`, 2 * itemsBound)));
      seen.push(`/items ${answers.map((r) => (r.error ? `none in ${r.ms} ms` : `${r.status} in ${r.ms} ms`)).join(', ')}`);
      const bad = answers.filter((r) => r.status < 500 || r.ms >= itemsBound || !jsonError(r));
      if (bad.length > 0) {
        throw new CheckFailure(
          `GET /items?limit=1 ×${itemRequests} while the database is frozen\n  expected: each a 5xx JSON error within ${itemsBound} ms\n  got: ${bad.map(show).join('\n       ')}`,
        );
      }
    });
  } finally {
    proxy.thaw();
  }

  await run.check(`after the thaw: the service answers /items 200 again within ${recoveryMs} ms, without a restart`, async () => {
    const deadline = Date.now() + recoveryMs;
    let last: Timed | undefined;
    while (Date.now() < deadline) {
      last = await timed(`${base}/items?limit=1`, Math.max(1_000, deadline - Date.now()));
      if (last.status === 200) {
        seen.push(`recovered ${recoveryMs - (deadline - Date.now())} ms after the thaw`);
        return;
      }
      await delay(200);
    }
    throw new CheckFailure(`GET /items?limit=1 after the thaw\n  expected: 200 within ${recoveryMs} ms\n  got: ${last ? show(last) : 'nothing'}`);
  });
  return { ...run.report, summary: seen.join('; ') };
}
