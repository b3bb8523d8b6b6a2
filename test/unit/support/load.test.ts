import { afterAll, describe, expect, it } from 'vitest';
import { checkLoad, checkSigtermInFlight, describeLoad, runLoad } from '../../support/load.js';
import { stopAll } from '../../support/processes.js';
import { startReferenceProcess } from './reference-process.js';
import { startReferenceServer, type ReferenceOptions } from './reference-server.js';

const servers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await stopAll();
});

async function reference(options: ReferenceOptions = {}): Promise<string> {
  const server = await startReferenceServer(options);
  servers.push(server);
  return server.url;
}

const failedNames = (report: { failed: { check: string }[] }) => report.failed.map((f) => f.check);

describe('runLoad', () => {
  it('drives every route of the contract and counts what came back', async () => {
    const result = await runLoad(await reference(), { connections: 10, durationSeconds: 1 });
    expect(result.requests).toBeGreaterThan(50);
    expect(result.rps).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    // Create, read, list, update, health, delete: each status of the mixed cycle shows up.
    expect(Object.keys(result.statuses).sort()).toEqual(['200', '201', '204']);
    expect(result).toMatchObject({ errors: 0, timeouts: 0 });
    expect(checkLoad(result).failed).toEqual([]);
    expect(describeLoad(result)).toMatch(/^10 connections, .* req\/s, p50 .* ms, p99 .* ms, 0 errors, 0 timeouts \(200×\d+ 201×\d+ 204×\d+\)$/);
  });

  it('counts error responses: a server that sheds load with 503 fails "0 errors"', async () => {
    const result = await runLoad(await reference({ faults: ['overload-503'] }), { connections: 30, durationSeconds: 1 });
    expect(result.statuses['503']).toBeGreaterThan(0);
    expect(failedNames(checkLoad(result))).toEqual([expect.stringMatching(/0 errors/)]);
  });

  it('counts requests that never get an answer as timeouts', async () => {
    const result = await runLoad(await reference({ faults: ['stall-every-50th'] }), { connections: 5, durationSeconds: 2, timeoutSeconds: 1 });
    expect(result.timeouts).toBeGreaterThan(0);
    expect(failedNames(checkLoad(result))).toContainEqual(expect.stringMatching(/0 timeouts/));
  });

  it('never sends load anywhere but a loopback address', async () => {
    await expect(runLoad('http://192.0.2.1:8080', { connections: 1, durationSeconds: 1 })).rejects.toThrow(/only ever sent to a loopback address/);
  });
});

describe('checkSigtermInFlight', () => {
  it('passes when the server drains every accepted request and exits 0', async () => {
    const { service, url } = await startReferenceProcess();
    const report = await checkSigtermInFlight(service, url);
    expect(report.failed).toEqual([]);
    expect(report.passed).toHaveLength(3);
    expect(report.summary).toMatchObject({ answered: 20, requests: 20, code: 0 });
    expect(service.output()).toMatch(/SIGTERM: 20 requests in flight/);
  });

  it('fails when SIGTERM drops what is in flight, though the exit code is 0', async () => {
    const { service, url } = await startReferenceProcess({ faults: ['sigterm-drops-in-flight'] });
    const report = await checkSigtermInFlight(service, url);
    expect(failedNames(report)).toEqual(['SIGTERM with 20 POSTs in flight → all 20 answered 201']);
    expect(report.failed[0]?.detail).toMatch(/got 0\n[\s\S]*#1: no response: (closed|reset)/);
  });

  it('fails both when the process just dies of the signal', async () => {
    const { service, url } = await startReferenceProcess({ faults: ['sigterm-default'] });
    const report = await checkSigtermInFlight(service, url);
    expect(failedNames(report)).toEqual([
      'SIGTERM with 20 POSTs in flight → all 20 answered 201',
      'SIGTERM with 20 POSTs in flight → the server exits 0 within 15 s',
    ]);
    expect(report.failed[1]?.detail).toMatch(/exit code null, signal SIGTERM/);
  });

  it('fails when new connections are still served after the signal', async () => {
    const { service, url } = await startReferenceProcess({ faults: ['sigterm-keeps-listening'] });
    const report = await checkSigtermInFlight(service, url);
    expect(failedNames(report)).toEqual(['a connection opened 150 ms after SIGTERM is refused, closed or answered 503, never served']);
  });
});
