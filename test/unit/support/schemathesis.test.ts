import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/processes.js';
import { runSchemathesis, schemathesisUnavailable, SCHEMATHESIS_VERSION } from '../../support/schemathesis.js';
import { skipBecause } from '../../skip.js';
import { startReferenceServer, type ReferenceOptions } from './reference-server.js';

const servers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function reference(options: ReferenceOptions = {}): Promise<string> {
  const server = await startReferenceServer(options);
  servers.push(server);
  return server.url;
}

let unavailable: string | null = null;
// The first run installs schemathesis from PyPI into a cached venv.
beforeAll(async () => {
  unavailable = await schemathesisUnavailable();
}, 10 * 60_000);

const small = { maxExamples: 5 };
const failedNames = (report: { failed: { check: string }[] }) => report.failed.map((f) => f.check);

describe(`runSchemathesis (schemathesis ${SCHEMATHESIS_VERSION} from PyPI)`, () => {
  it('passes a service that keeps to its OpenAPI document', async (ctx) => {
    if (unavailable) skipBecause(ctx, unavailable);
    const report = await runSchemathesis(await reference(), small);
    expect(report.failed).toEqual([]);
    expect(report.passed).toHaveLength(4);
    expect(report.summary?.operations?.tested).toBe(7);
    expect(report.summary?.test_cases.generated).toBeGreaterThan(20);
  }, 180_000);

  it('finds a 500 that boundary values provoke', async (ctx) => {
    if (unavailable) skipBecause(ctx, unavailable);
    const report = await runSchemathesis(await reference({ faults: ['paging-500'] }), small);
    expect(failedNames(report)).toEqual(['schemathesis: no 5xx for any generated request (not_a_server_error)']);
    expect(report.failed[0]?.detail).toMatch(/Server error in GET \/items[\s\S]*curl -X GET .*limit=/);
  }, 180_000);

  it('finds responses that contradict the document', async (ctx) => {
    if (unavailable) skipBecause(ctx, unavailable);
    const report = await runSchemathesis(await reference({ faults: ['openapi-id-as-string'] }), small);
    expect(failedNames(report)).toEqual(['schemathesis: every response conforms to the OpenAPI document (response_schema_conformance)']);
    expect(report.failed[0]?.detail).toMatch(/Response violates schema in .*POST \/items[\s\S]*is not of type "string"/);
  }, 180_000);

  it('fails, rather than passes, when the service serves no document', async (ctx) => {
    if (unavailable) skipBecause(ctx, unavailable);
    const report = await runSchemathesis(await reference({ faults: ['no-openapi'] }), small);
    expect(report.passed).toEqual([]);
    expect(report.failed[0]?.detail).toMatch(/got 0 of 0 tested/);
    expect(report.failed[1]?.detail).toMatch(/^not run/);
  }, 180_000);

  it('fails, rather than passes, when nothing listens', async (ctx) => {
    if (unavailable) skipBecause(ctx, unavailable);
    const report = await runSchemathesis(`http://127.0.0.1:${await freePort()}`, small);
    expect(report.passed).toEqual([]);
    expect(failedNames(report)[0]).toMatch(/ran to completion/);
    expect(report.failed[0]?.detail).toMatch(/^expected all operations of http:\/\/127\.0\.0\.1:\d+\/openapi\.json tested without errors, got 0 of 0 tested/);
  }, 180_000);
});
