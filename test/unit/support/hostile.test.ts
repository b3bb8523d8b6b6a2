import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHostile, type HostileOptions } from '../../support/hostile.js';
import { freePort } from '../../support/processes.js';
import { assertReport, type CheckReport } from '../../support/report.js';
import { startReferenceServer, type Fault, type ReferenceOptions } from './reference-server.js';

// Closed at the end, not after each test: the fault cases run concurrently.
const servers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function reference(options: ReferenceOptions = {}): Promise<string> {
  // A short request timeout, so the stall checks (which wait for it) finish quickly.
  const server = await startReferenceServer({ requestTimeoutMs: 1000, ...options });
  servers.push(server);
  return server.url;
}

// The reference server gives up on a stalled request after 1 s; allow for a busy machine.
const fast: HostileOptions = { stallBoundMs: 6000 };

const failedNames = (report: CheckReport) => report.failed.map((f) => f.check);

describe('checkHostile against a correct implementation', () => {
  it.each(['integer', 'objectid'] as const)('reports no failures with %s ids', async (idKind) => {
    const lines: string[] = [];
    const report = await checkHostile(await reference({ idKind }), { ...fast, log: (line) => lines.push(line) });
    expect(report.failed).toEqual([]);
    expect(report.passed.length).toBeGreaterThan(60);
    expect(new Set(report.passed).size).toBe(report.passed.length);
    expect(lines).toHaveLength(report.passed.length);
    expect(() => assertReport(report, 'hostile-input')).not.toThrow();
  });

  it('deletes what it created', async () => {
    const url = await reference();
    expect((await checkHostile(url, fast)).failed).toEqual([]);
    expect(await (await fetch(`${url}/items?limit=100`)).json()).toEqual([]);
  });
});

describe.concurrent('checkHostile catches broken implementations', () => {
  // Each fault is one defect of issue 17; it must fail the named checks and only checks about it.
  const cases: [Fault, RegExp[], RegExp][] = [
    ['deep-nesting-500', [/^POST \/items with a 10,000-deep JSON array/, /^PUT \/items\/:id with a 10,000-deep JSON object/, /66 levels deep/], /deep|nested/],
    ['lossy-utf8', [/^POST \/items with invalid UTF-8 \(byte 0xFF\)/, /^PUT \/items\/:id with an overlong UTF-8/], /UTF-8/],
    ['stores-lone-surrogates', [/^POST \/items with a lone high surrogate/, /^PUT \/items\/:id with a lone surrogate \\ud800 in description/], /surrogate/],
    ['nul-truncates', [/^POST \/items with NUL \(\\u0000\) in name/, /^PUT \/items\/:id with NUL \(\\u0000\) in description/], /NUL/],
    ['nul-500', [/^POST \/items with NUL \(\\u0000\) in name/], /NUL/],
    ['bigint-500', [/^GET \/items\?limit=9+…\(5000 digits\)/, /^GET \/items\?offset=9+…\(5000 digits\)/], /5000 digits/],
    ['percent-decoding-500', [/^GET \/items\/%ff/, /^PUT \/items\/%ff/], /%/],
    ['plain-protocol-errors', [/^FOO \/items/, /two different Content-Length/, /Content-Length: -1/, /malformed chunk size/, /16 KiB path/], /FOO|Content-Length|chunk|path/],
    ['connect-closes', [/^CONNECT <host:port>/, /^CONNECT \/items/], /^CONNECT/],
    ['reads-whole-body-before-413', [/Content-Length: 2147483648/, /chunked body past 1 MiB/], /413/],
    ['no-request-timeout', [/declaring Content-Length: 100 .* silence/, /unfinished request head/], /silence/],
    ['answers-first-pipelined-only', [/pipelined/], /pipelined/],
    ['rejects-4-byte-utf8', [/escaped surrogate pair \(U\+1F600\)/, /literal 4-byte UTF-8/], /U\+1F600|4-byte/],
    ['int64-overflow-500', [/limit=10000000000000000000/, /offset=99999999999999999999/], /limit=|offset=/],
    ['query-decoding-500', [/\?limit=%ff/, /\?offset=%ff/, /\?limit=% /], /\?(limit|offset)=%/],
    ['html-405', [/^TRACE \/items/], /^TRACE/],
  ];

  it.each(cases)('%s', async (fault, mustFail, onlyAbout) => {
    const failed = failedNames(await checkHostile(await reference({ faults: [fault] }), fast));
    for (const pattern of mustFail) expect(failed, `expected a failed check matching ${pattern}`).toContainEqual(expect.stringMatching(pattern));
    for (const name of failed) expect(name, 'a failure unrelated to the fault: the report would mislead').toMatch(onlyAbout);
  }, 30_000);

  it('names a silent alteration: what was stored instead of a 400', async () => {
    const report = await checkHostile(await reference({ faults: ['nul-truncates'] }), fast);
    const failure = report.failed.find((f) => f.check.startsWith('POST /items with NUL (\\u0000) in name'));
    expect(failure?.detail).toMatch(/expected HTTP 400 JSON error \(it stored name "a", description null: input silently altered or accepted\)/);
    expect(failure?.detail).toMatch(/request: POST \/items with body \{"name":"a\\u0000b"\}/);
    expect(failure?.detail).toMatch(/got: HTTP 201, Content-Type application\/json/);
  });

  it('shows invalid bytes in the request escaped, and the 500 it got', async () => {
    const report = await checkHostile(await reference({ faults: ['nul-500'] }), fast);
    const failure = report.failed.find((f) => f.check.startsWith('POST /items with NUL (\\u0000) in name'));
    expect(failure?.detail).toMatch(/expected HTTP 400 JSON error, never a 5xx\n {2}request: .*\n {2}got: HTTP 500/);
    const bytes = await checkHostile(await reference({ faults: ['lossy-utf8'] }), fast);
    expect(bytes.failed.find((f) => f.check.includes('(byte 0xFF) in name'))?.detail).toMatch(/\{"name":"a\\xffb"\}/);
  });

  it('says how long a declared oversize body went unanswered', async () => {
    const report = await checkHostile(await reference({ faults: ['reads-whole-body-before-413'] }), { ...fast, promptMs: 500 });
    expect(report.failed.find((f) => f.check.includes('2147483648'))?.detail).toMatch(/got: no response before the timeout after \d+ ms/);
  });

  it('stays bounded against a service that stops answering, and says so', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise((resolve) => (hanging.closeAllConnections(), hanging.close(() => resolve()))) });
    const started = Date.now();
    const report = await checkHostile(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, { timeoutMs: 1000, stallBoundMs: 1000 });
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(report.failed.length).toBeGreaterThan(50);
    expect(report.failed.map((f) => f.detail).join('\n')).toMatch(/the service had stopped answering \(\d+ requests unanswered so far\); waited 250 ms/);
  }, 60_000);

  it('fails every check, without throwing, when nothing listens', async () => {
    const report = await checkHostile(`http://127.0.0.1:${await freePort()}`, { ...fast, timeoutMs: 2000 });
    expect(report.passed).toEqual([]);
    expect(report.failed.length).toBeGreaterThan(60);
  });
});
