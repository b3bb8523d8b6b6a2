/**
 * Bounded load and the SIGTERM-with-requests-in-flight check, written once for every
 * generated service.
 *
 * runLoad drives mixed traffic (create, read, list, update, health, delete) with
 * autocannon for a few seconds against a loopback address only, and stops by itself. Its
 * figures (requests/s, p99) belong in the benchmark report (bench/services.mjs), never in
 * a timed assertion; what a test may assert is checkLoad: no errors, no timeouts.
 *
 * checkSigtermInFlight holds a service to "SIGTERM drains everything already accepted":
 * N POSTs are made to be in flight at the moment of the signal (their bodies are only
 * half sent), and every one of them must still be answered, and the process exit 0.
 */
import autocannon from 'autocannon';
import type { Service } from './processes.js';
import { rawExchange, requestHead, type RawConnection, type RawOutcome } from './raw-http.js';
import { CheckFailure, Checks, excerpt, type CheckReport } from './report.js';

export interface LoadOptions {
  connections: number;
  /** Default 3 s: long enough for a stable figure, short enough for a shared machine. */
  durationSeconds?: number;
  /** A request not answered within this many seconds counts as a timeout; default 10. */
  timeoutSeconds?: number;
}

export interface LoadResult {
  connections: number;
  durationSeconds: number;
  requests: number;
  /** Mean requests per second over the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connection errors other than timeouts, plus responses that were not 2xx. */
  errors: number;
  timeouts: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function assertLoopback(baseUrl: string): void {
  const host = new URL(baseUrl).hostname;
  if (!LOOPBACK.has(host)) throw new Error(`load is only ever sent to a loopback address, not to ${host}`);
}

type Context = { id?: string };

/**
 * One connection's cycle: every route of the contract a client uses, each write followed
 * by a read of what it wrote; the item is deleted at the end, so the table stays small.
 */
function mixedTraffic(): autocannon.Request[] {
  const json = { 'content-type': 'application/json' };
  const withId = (method: string, body?: string) => (request: autocannon.Request, context: Context) =>
    ({ ...request, method, path: `/items/${context.id ?? 'missing'}`, ...(body === undefined ? {} : { body, headers: json }) }) as autocannon.Request;
  return [
    {
      method: 'POST',
      path: '/items',
      headers: json,
      body: JSON.stringify({ name: 'load [<id>]', description: 'created under load' }),
      onResponse: (status: number, body: string, context: Context) => {
        context.id = undefined;
        if (status !== 201) return;
        const id = (JSON.parse(body) as { id?: unknown }).id;
        if (typeof id === 'number' || typeof id === 'string') context.id = encodeURIComponent(String(id));
      },
    },
    { setupRequest: withId('GET') },
    { method: 'GET', path: '/items?limit=20' },
    { setupRequest: withId('PUT', JSON.stringify({ name: 'updated under load', description: null })) },
    { method: 'GET', path: '/health' },
    { setupRequest: withId('DELETE') },
  ] as autocannon.Request[];
}

export async function runLoad(baseUrl: string, opts: LoadOptions): Promise<LoadResult> {
  assertLoopback(baseUrl);
  const durationSeconds = opts.durationSeconds ?? 3;
  const result = await autocannon({
    url: baseUrl,
    connections: opts.connections,
    duration: durationSeconds,
    timeout: opts.timeoutSeconds ?? 10,
    idReplacement: true,
    requests: mixedTraffic(),
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number((stat as { count: number | string }).count);
  return {
    connections: opts.connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors - result.timeouts + result.non2xx,
    timeouts: result.timeouts,
    statuses,
  };
}

export function describeLoad(r: LoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
  return `${r.connections} connections, ${r.durationSeconds.toFixed(1)} s: ${r.requests} requests, ${Math.round(r.rps)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.errors} errors, ${r.timeouts} timeouts (${statuses || 'no responses'})`;
}

/** What a test may assert about a load run: it was served, without errors or timeouts (no timing). */
export function checkLoad(r: LoadResult): CheckReport {
  const run = new Checks();
  const name = `${r.connections} connections of mixed traffic for ${r.durationSeconds.toFixed(0)} s`;
  const summary = `\n  got: ${describeLoad(r)}`;
  if (r.requests > 0) run.pass(`${name}: requests were answered`);
  else run.fail(`${name}: requests were answered`, `expected at least one answered request${summary}`);
  if (r.errors === 0) run.pass(`${name}: 0 errors (every response 2xx, no connection errors)`);
  else run.fail(`${name}: 0 errors (every response 2xx, no connection errors)`, `expected 0 errors${summary}`);
  if (r.timeouts === 0) run.pass(`${name}: 0 timeouts`);
  else run.fail(`${name}: 0 timeouts`, `expected 0 timeouts${summary}`);
  return run.report;
}

// ---------------------------------------------------------------------------
// SIGTERM with requests in flight

export interface SigtermOptions {
  log?: (line: string) => void;
  /** How many POSTs are in flight at the signal; default 20. */
  requests?: number;
  /** How long the service may take to answer them and exit; default 15 s. */
  deadlineMs?: number;
  /** Body bytes still to be sent after the signal; default 64 KiB per request. */
  remainingBytes?: number;
}

export interface SigtermSummary {
  answered: number;
  requests: number;
  code: number | null;
  signal: string | null;
  exitedCleanly: boolean;
}

/**
 * Signals `service` (its whole process group, as stop() does) while `requests` POSTs to
 * `baseUrl` are half sent, then finishes sending them. Stops the service either way, so
 * the items it created stay behind: use a throwaway database.
 */
export async function checkSigtermInFlight(service: Service, baseUrl: string, opts: SigtermOptions = {}): Promise<CheckReport & { summary: SigtermSummary }> {
  const n = opts.requests ?? 20;
  const deadlineMs = opts.deadlineMs ?? 15_000;
  const run = new Checks(opts.log);
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const names = Array.from({ length: n }, (_, i) => `sigterm ${i + 1} ${tag}`);
  const bodies = names.map((name) => Buffer.from(JSON.stringify({ name, padding: 'x'.repeat(opts.remainingBytes ?? 64 * 1024) }), 'utf8'));
  const host = new URL(baseUrl).host;

  let connected = 0;
  let allConnected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (allConnected = resolve));
  let signalled: () => void = () => undefined;
  const afterSignal = new Promise<void>((resolve) => (signalled = resolve));
  const splitAt = 40; // the name and the start of the padding: enough that the server has the request in hand

  const exchanges: Promise<RawOutcome>[] = bodies.map((body) =>
    rawExchange(baseUrl, {
      timeoutMs: deadlineMs + 5000,
      onConnect: () => {
        if (++connected === n) allConnected();
      },
      send: async (conn: RawConnection) => {
        const head = requestHead('POST', '/items', { 'Content-Type': 'application/json', 'Content-Length': body.length }, host);
        if (!(await conn.write(Buffer.concat([Buffer.from(head), body.subarray(0, splitAt)])))) return;
        await afterSignal;
        await conn.write(body.subarray(splitAt));
      },
    }),
  );

  const connectedInTime = await Promise.race([ready.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))]);
  // Let the server read the request heads before the signal.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stopping = service.stop('SIGTERM', deadlineMs);
  await new Promise((resolve) => setTimeout(resolve, 150));

  // A connection opened after the signal must not be served: the listener closes at once.
  const late = rawExchange(baseUrl, {
    timeoutMs: 3000,
    send: async (conn) => {
      await conn.write(requestHead('GET', '/health', {}, host));
    },
  });
  signalled();
  const outcomes = await Promise.all(exchanges);
  const stopped = await stopping;

  const ok = outcomes.filter((o, i) => {
    const r = o.responses[0];
    if (r?.status !== 201) return false;
    try {
      return (JSON.parse(r.text) as { name?: unknown }).name === names[i];
    } catch {
      return false;
    }
  }).length;
  const summary: SigtermSummary = { answered: ok, requests: n, code: stopped.code, signal: stopped.signal, exitedCleanly: stopped.exitedCleanly };

  await run.check(`SIGTERM with ${n} POSTs in flight → all ${n} answered 201`, async () => {
    if (!connectedInTime) throw new CheckFailure(`not run: only ${connected} of ${n} connections were established within 10 s`);
    if (ok === n) return;
    const lines = outcomes.map((o, i) => {
      const r = o.responses[0];
      const got = r ? `HTTP ${r.status} ${excerpt(r.text, 120)}` : `no response: ${o.end} after ${o.endMs} ms${o.error ? ` (${o.error})` : ''}`;
      return `    #${i + 1}: ${got}`;
    });
    throw new CheckFailure(
      `expected ${n} of ${n} POSTs answered 201 with their own item, got ${ok}\n  request: ${n} × POST /items (${bodies[0]?.length} bytes each), ${splitAt} body bytes sent before SIGTERM and the rest 150 ms after\n  got:\n${lines.join('\n')}\n  service output ended with:\n${service.tail(15).replace(/^/gm, '    ')}`,
    );
  });
  await run.check(`SIGTERM with ${n} POSTs in flight → the server exits 0 within ${deadlineMs / 1000} s`, async () => {
    if (stopped.exitedCleanly && stopped.code === 0) return;
    const how = !stopped.exitedCleanly ? `it was still running after ${deadlineMs} ms and was killed` : `exit code ${stopped.code}, signal ${stopped.signal}`;
    throw new CheckFailure(`expected exit code 0 after draining\n  got: ${how}\n  service output ended with:\n${service.tail(15).replace(/^/gm, '    ')}`);
  });
  await run.check('a connection opened 150 ms after SIGTERM is refused, closed or answered 503, never served', async () => {
    const r = (await late).responses[0];
    if (r === undefined || r.status === 503) return;
    throw new CheckFailure(`expected a refused or closed connection (or a 503)\n  request: GET /health on a new connection 150 ms after SIGTERM\n  got: HTTP ${r.status} ${excerpt(r.text, 120)}`);
  });
  return { ...run.report, summary };
}
