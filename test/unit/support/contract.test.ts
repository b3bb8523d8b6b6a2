import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertContract, checkContract, checkHealthDown, type ContractReport } from '../../support/contract.js';
import { freePort } from '../../support/processes.js';
import { startReferenceServer, type Fault, type ReferenceOptions } from './reference-server.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function reference(options: ReferenceOptions = {}): Promise<string> {
  const server = await startReferenceServer(options);
  servers.push(server);
  return server.url;
}

function failedNames(report: ContractReport): string[] {
  return report.failed.map((failure) => failure.check);
}

async function listAll(url: string): Promise<{ id: unknown }[]> {
  const response = await fetch(`${url}/items?limit=100`);
  return (await response.json()) as { id: unknown }[];
}

describe('checkContract against a correct implementation', () => {
  it.each(['integer', 'objectid'] as const)('reports no failures with %s ids, logging every check', async (idKind) => {
    const url = await reference({ idKind });
    const lines: string[] = [];
    const report = await checkContract(url, { log: (line) => lines.push(line) });
    expect(report.failed).toEqual([]);
    expect(report.passed.length).toBeGreaterThan(80);
    expect(new Set(report.passed).size).toBe(report.passed.length);
    expect(lines).toHaveLength(report.passed.length);
    expect(lines.every((line) => line.startsWith('ok '))).toBe(true);
    expect(() => assertContract(report)).not.toThrow();
  });

  it('does not assume an empty database, and deletes only what it created', async () => {
    const url = await reference();
    // More than a page of older items, so the run's own items must be found among others.
    for (let n = 0; n < 130; n++) {
      await fetch(`${url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `pre-existing ${n}` }) });
    }
    const before = await listAll(url);
    const report = await checkContract(url);
    expect(report.failed).toEqual([]);
    expect(await listAll(url)).toEqual(before);
  });

  it('leaves an empty database empty', async () => {
    const url = await reference();
    expect((await checkContract(url)).failed).toEqual([]);
    expect(await listAll(url)).toEqual([]);
  });
});

describe('checkContract catches broken implementations', () => {
  // Each fault must make at least the named checks fail, and only checks about that topic.
  const cases: [Fault, RegExp[], RegExp][] = [
    ['found-for-missing-id', [/^GET \/items\/2147483647 → 404/, /^GET \/items\/abc → 404/], /^GET \/items\//],
    ['oldest-first', [/newest first/, /ordered by createdAt/], /newest first|ordered by/],
    ['accepts-201-char-name', [/^POST \/items with a 201-character name → 400/, /^PUT \/items\/:id with a 201-character name → 400/], /201-character|refused PUT/],
    ['plain-text-404', [/^GET \/nope/], /^GET \/nope/],
    ['ignores-limit', [/default limit/, /limit=1 → exactly 1/, /limit=101 → 400/], /limit/],
    ['default-limit-10', [/default limit/], /default limit/],
    ['ignores-offset', [/limit=2&offset=1/, /offset=1000000/, /offset=-1 → 400/], /offset/],
    ['lenient-paging', [/limit=1\.5 → 400/, /limit=abc → 400/, /offset=abc → 400/, /limit= → 400/], /limit=|offset=/],
    ['parseint-ids', [/^GET \/items\/1\.5 → 404/], /1\.5/],
    ['counts-bytes', [/200-character non-ASCII name → 201/], /non-ASCII/],
    ['no-body-limit', [/1 MiB \+ 1 byte → 413/, /1\.1 MiB → 413/], /MiB/],
    ['express-default-limit', [/exactly 1 MiB → 201/], /MiB/],
    ['reset-on-large-body', [/1\.1 MiB → 413/], /MiB/],
    ['stack-in-errors', [/^GET \/nope/, /invalid JSON → 400/, /^GET \/items\/abc → 404/, /limit=0 → 400/], /error|400|404/],
    ['error-key-message', [/^GET \/nope/, /^POST \/items with no name → 400/], /error|400|404/],
    ['put-keeps-description', [/without "description" → description null/], /description null/],
    ['put-keeps-updated-at', [/advances updatedAt/], /updatedAt/],
    ['delete-200-json', [/^DELETE \/items\/:id → 204/], /DELETE/],
    ['seconds-timestamps', [/ISO-ms timestamps/], /./],
    ['local-time-as-utc', [/current UTC time/], /current UTC time/],
    ['extra-mongo-id-field', [/ISO-ms timestamps/, /GET \/items\?limit=100 → 200 JSON array/], /./],
    ['coerces-numeric-name', [/^POST \/items with a numeric name → 400/], /numeric name|refused PUT/],
    ['accepts-arrays', [/^POST \/items with a JSON array → 400/], /JSON array|refused PUT/],
    ['health-wrong-body', [/^GET \/health/], /^GET \/health/],
    ['html-405', [/method not served/], /method not served/],
    ['accepts-empty-body', [/^POST \/items with an empty body → 400/], /empty body|refused PUT/],
    ['takes-created-at-from-body', [/ignores unknown fields/], /unknown fields/],
    ['openapi-without-item-id', [/^GET \/openapi\.json/], /openapi/],
  ];

  it.each(cases)('%s', async (fault, mustFail, onlyAbout) => {
    const report = await checkContract(await reference({ faults: [fault] }));
    const failed = failedNames(report);
    for (const pattern of mustFail) expect(failed, `expected a failed check matching ${pattern}`).toContainEqual(expect.stringMatching(pattern));
    for (const name of failed) expect(name, 'a failure unrelated to the fault: the report would mislead').toMatch(onlyAbout);
  });

  it('explains a failure with the request, the expectation and the response', async () => {
    const report = await checkContract(await reference({ faults: ['accepts-201-char-name'] }));
    const failure = report.failed.find((f) => f.check.startsWith('POST /items with a 201-character name'));
    expect(failure?.detail).toMatch(/expected HTTP 400, got 201/);
    expect(failure?.detail).toMatch(/request: POST \/items with body \{"name":"nnnn/);
    expect(failure?.detail).toMatch(/response: HTTP 201, Content-Type application\/json.*"id":/);
  });

  it('reports a dropped connection instead of a 413 as a failure with the cause', async () => {
    const report = await checkContract(await reference({ faults: ['reset-on-large-body'] }));
    const failure = report.failed.find((f) => f.check.includes('1.1 MiB'));
    expect(failure?.detail).toMatch(/got none: fetch failed.*(ECONNRESET|EPIPE|other side closed)/);
  });

  it('marks checks whose prerequisite failed as failed, not passed', async () => {
    const report = await checkContract(await reference({ faults: ['delete-200-json'] }));
    const after = report.failed.find((f) => f.check.startsWith('GET /items/:id after DELETE'));
    expect(after?.detail).toMatch(/^not run: needs a deleted item/);
  });

  it('fails every check, without throwing, when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const report = await checkContract(url, { timeoutMs: 2000 });
    expect(report.passed).toEqual([]);
    expect(report.failed.length).toBeGreaterThan(80);
    expect(report.failed[0]?.detail).toMatch(/ECONNREFUSED/);
  });

  it('times out on a service that never answers', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise((resolve) => (hanging.closeAllConnections(), hanging.close(() => resolve()))) });
    const report = await checkHealthDown(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, { timeoutMs: 200 });
    expect(report.passed).toEqual([]);
    expect(report.failed[0]?.detail).toMatch(/no response before the timeout/);
  });
});

describe('assertContract', () => {
  it('lists every failed check in one error', () => {
    const report: ContractReport = {
      passed: ['a'],
      failed: [
        { check: 'first check', detail: 'expected HTTP 404, got 200' },
        { check: 'second check', detail: 'expected a JSON body' },
      ],
    };
    expect(() => assertContract(report)).toThrow(/2 of 3 contract checks failed[\s\S]*✗ first check\n {4}expected HTTP 404, got 200[\s\S]*✗ second check/);
  });
});

describe('checkHealthDown', () => {
  it('passes when health reports 503 and item routes fail cleanly', async () => {
    const report = await checkHealthDown(await reference({ databaseDown: true }));
    expect(report.failed).toEqual([]);
    expect(report.passed).toHaveLength(4);
  });

  it('fails when liveness depends on the database', async () => {
    const report = await checkHealthDown(await reference({ databaseDown: true, faults: ['live-touches-database'] }));
    expect(failedNames(report)).toEqual(['GET /health/live with the database down → 200 {"status":"ok"} (liveness never touches the database)']);
  });

  it('fails when health still says up', async () => {
    const report = await checkHealthDown(await reference());
    expect(failedNames(report)).toContainEqual(expect.stringMatching(/^GET \/health with the database down → 503/));
  });

  it('fails when a 500 leaks the driver error', async () => {
    const report = await checkHealthDown(await reference({ databaseDown: true, leakDriverError: true }));
    expect(failedNames(report)).toEqual([
      'GET /items with the database down → 5xx JSON error without internals',
      'POST /items with the database down → 5xx JSON error without internals',
    ]);
    expect(report.failed[0]?.detail).toMatch(/without a driver error/);
  });
});
