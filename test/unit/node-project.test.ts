import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseIds } from '../../src/databases/index.js';
import { createBackend } from '../../src/index.js';
import * as versions from '../../src/versions.js';
import { listTree, tempDir } from '../cli/run-cli.js';

/** Node (Fastify) projects have three test layers, each runnable alone, and a black-box functional one. */
describe.each(databaseIds)('Node.js × %s project test layers', (db) => {
  const generated = (async () => {
    const dir = path.join(await tempDir(`node-project-${db}`), 'my-api');
    await createBackend({ directory: dir, lang: 'node', db, ci: 'none', docker: true, git: false });
    const files = await listTree(dir);
    const read = (f: string) => readFile(path.join(dir, f), 'utf8');
    return { files, read };
  })();
  const layers = ['unit', 'integration', 'functional'];

  it('has a make target and an npm script per layer, and make test runs all three in order', async () => {
    const { read } = await generated;
    const makefile = await read('Makefile');
    expect(makefile).toMatch(/^test: test-unit test-integration test-functional ## /m);
    for (const layer of layers) {
      const recipe = makefile.match(new RegExp(`^test-${layer}:.*\\n((?:\\t.*\\n)+)`, 'm'))?.[1];
      expect(recipe, `make test-${layer}`).toBe(`\t$(NODE) node_modules/.bin/vitest run --project ${layer}\n`);
    }
    const { scripts } = JSON.parse(await read('package.json')) as { scripts: Record<string, string> };
    for (const layer of layers) expect(scripts[`test:${layer}`]).toBe(`vitest run --project ${layer}`);
  });

  it('names each layer as a vitest project; the functional one starts its service in a globalSetup', async () => {
    const { read, files } = await generated;
    const config = await read('vitest.config.ts');
    for (const layer of layers) expect(config).toContain(`name: '${layer}'`);
    expect(config).toContain("globalSetup: ['test/functional/service.ts']");
    expect(files).toContain('test/functional/service.ts');
    expect(JSON.parse(await read('tsconfig.json')).include).toContain('vitest.config.ts');
  });

  it('refuses to install on a Node older than its engines, with npm\'s message, before fetching anything', async (ctx) => {
    const { read } = await generated;
    expect((await read('.npmrc')).split('\n')).toContain('engine-strict=true');
    const { engines } = JSON.parse(await read('package.json')) as { engines: { node: string } };
    const required = Number(/^>=(\d+)$/.exec(engines.node)?.[1]);
    if (Number(process.versions.node.split('.')[0]) >= required) {
      ctx.skip(`this Node (${process.version}) meets the project's engines (${engines.node}): no older Node here to be refused`);
    }
    const dir = await tempDir(`node-engines-${db}`);
    await createBackend({ directory: path.join(dir, 'old-node'), lang: 'node', db, ci: 'none', docker: false, git: false });
    const npm = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: path.join(dir, 'old-node'), timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
      );
    });
    expect(npm.code, npm.output).not.toBe(0);
    expect(npm.output).toContain('EBADENGINE');
    expect(npm.output).toContain(`Required: {"node":"${engines.node}"}`);
    expect(existsSync(path.join(dir, 'old-node', 'node_modules'))).toBe(false);
  });

  it('names the Node release it runs in .nvmrc, one its engines admit, and warns at generation on an older Node', async () => {
    const { read } = await generated;
    expect(await read('.nvmrc')).toBe(`${versions.node.runtime}\n`);
    const oldest = Number(/^>=(\d+)$/.exec(versions.node.engines)?.[1]);
    expect(Number(versions.node.runtime.split('.')[0])).toBeGreaterThanOrEqual(oldest);
    const dir = await tempDir(`node-warning-${db}`);
    const result = await createBackend({ directory: path.join(dir, 'a'), lang: 'node', db, ci: 'none', docker: false, git: false });
    const warned = result.warnings.some((w) => w.includes(`this project needs Node ${versions.node.engines}`) && w.includes(process.version));
    // This machine's Node decides which way it must go; either way the other language gets no such warning.
    expect(warned).toBe(Number(process.versions.node.split('.')[0]) < oldest);
    const other = await createBackend({ directory: path.join(dir, 'b'), lang: 'python', db, ci: 'none', docker: false, git: false });
    expect(other.warnings.filter((w) => w.includes('needs Node'))).toEqual([]);
  });

  it('keeps the functional tests black-box: fetch against a URL, never the app', async () => {
    const { read, files } = await generated;
    // The harness that starts the service included: the README says this layer never loads the app.
    const functional = files.filter((f) => f.startsWith('test/functional/'));
    expect(functional).toEqual(expect.arrayContaining(['test/functional/health.test.ts', 'test/functional/items.test.ts']));
    for (const file of functional) {
      const source = await read(file);
      expect(source, file).not.toMatch(/from '\.\.\/\.\.\/src\//);
      expect(source, file).not.toMatch(/\binject\(\{|buildApp|app\.inject/);
    }
    expect(await read('test/functional/http.ts')).toContain('await fetch(');
    // The harness starts what `make start` runs, on 127.0.0.1, and stops it with SIGTERM.
    const service = await read('test/functional/service.ts');
    expect(service).toContain("'dist/server.js'");
    expect(service).toContain("HOST: '127.0.0.1'");
    expect(service).toContain("kill('SIGTERM')");
  });

  it('says in the README how to point the functional tests at a deployment', async () => {
    const { read } = await generated;
    const readme = await read('README.md');
    expect(readme).toContain('make test-functional BASE_URL=http://localhost:3000');
    expect(readme).toContain('`make test-unit`');
  });
});
