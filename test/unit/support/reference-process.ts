/**
 * Starts reference-main.ts as a child process (a Service from processes.ts), bundled once
 * per test process with esbuild, since Node 20 cannot run TypeScript itself.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { freePort, startService, type Service } from '../../support/processes.js';
import type { ReferenceOptions } from './reference-server.js';

let bundled: Promise<string> | undefined;

function bundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbs-reference-'));
    const outfile = path.join(dir, 'reference-main.mjs');
    await build({
      entryPoints: [path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference-main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundled;
}

export async function startReferenceProcess(options: ReferenceOptions = {}): Promise<{ service: Service; url: string }> {
  const port = await freePort();
  const service = startService(process.execPath, [await bundle()], {
    cwd: os.tmpdir(),
    env: { REFERENCE_OPTIONS: JSON.stringify({ ...options, port }) },
  });
  const url = `http://127.0.0.1:${port}`;
  await service.waitForHttp(`${url}/health/live`, { timeoutMs: 20_000, expectStatus: [200] });
  return { service, url };
}
