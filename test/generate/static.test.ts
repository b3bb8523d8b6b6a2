import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse as parseToml } from 'smol-toml';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createBackend } from '../../src/index.js';
import { combinations } from '../../src/languages/index.js';
import { listTree, tempDir } from '../cli/run-cli.js';
import { skipBecause } from '../skip.js';
import { requireTool, run, tools } from './tools.js';

const combos = combinations();

/** Generate with every optional file switched on, so every file is checked. */
async function generateFull(lang: string, framework: string, db: string): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(await tempDir(`static-${lang}-${framework}-${db}`), 'my-api');
  await createBackend({ directory: dir, lang, framework, db, ci: 'both', docker: true, kubernetes: true, git: false });
  return { dir, files: await listTree(dir) };
}

describe.each(combos)('$lang/$framework × $db generated files', ({ lang, framework, db }) => {
  let dir = '';
  let files: string[] = [];
  const text = (f: string) => readFile(path.join(dir, f), 'utf8');
  beforeAll(async () => {
    ({ dir, files } = await generateFull(lang, framework, db));
  });

  it('match the reviewed file list', () => {
    expect(files).toMatchSnapshot();
  });

  it('have no leftover template tags', async () => {
    for (const f of files) {
      const t = await text(f);
      expect(t, f).not.toMatch(/<%|%>/);
    }
  });

  it('parse: every JSON, YAML and TOML file', async () => {
    let parsed = 0;
    for (const f of files) {
      const t = await text(f);
      if (f.endsWith('.json')) JSON.parse(t);
      else if (/\.ya?ml$/.test(f)) parseYaml(t);
      else if (f.endsWith('.toml')) parseToml(t);
      else continue;
      parsed++;
    }
    expect(parsed).toBeGreaterThanOrEqual(4);
  });

  it('GitHub workflow passes the workflow JSON schema', async () => {
    const result = validateWorkflow(await text('.github/workflows/ci.yml'));
    expect(result.errors).toEqual([]);
  });

  it('docker-compose.yml passes `docker-compose config -q`', async () => {
    if (!requireTool(tools.dockerCompose)) return;
    const r = await run('docker-compose', ['config', '-q'], dir);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('Dockerfile lints clean, runs as non-root, with a HEALTHCHECK, from a pinned image', async () => {
    const df = await text('Dockerfile');
    const problems = lintDockerfile(df).filter((d) => d.severity === 1);
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
    // Logical lines: a continuation (`\` at the end) joins the next line.
    const logical = df.replace(/\\\n/g, ' ');
    const healthcheck = /^HEALTHCHECK\s.*\bCMD\b(.*)$/m.exec(logical);
    expect(healthcheck, 'a HEALTHCHECK with a command').not.toBeNull();
    // The probe is inline (`…/health`) or a script of the project's that requests /health.
    const probe = healthcheck![1]!;
    const probesHealth =
      probe.includes('/health') ||
      (await Promise.all(files.filter((f) => probe.includes(path.parse(f).name)).map(text))).some((t) =>
        t.includes('/health'),
      );
    expect(probesHealth, `HEALTHCHECK does not request /health: ${probe}`).toBe(true);
    const users = [...df.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    for (const [, image] of df.matchAll(/^FROM\s+(\S+)/gm)) {
      if (!image!.includes(':')) continue; // a stage name
      expect(image).not.toMatch(/:latest$/);
    }
    expect(df.match(/^FROM /gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('source files pass their language syntax check', async (ctx) => {
    if (lang === 'php') {
      // Written for PHP 8.4 (typed class constants need 8.3): Debian 12's PHP 8.2 cannot parse it.
      skipBecause(ctx, "checked by `php -l` on Debian 13's PHP 8.4 in the e2e suite (test/e2e/runtimes/php.ts)", true);
    }
    let checked = 0;
    for (const f of files) {
      const abs = path.join(dir, f);
      if (/\.(ts|mts)$/.test(f)) {
        const out = ts.transpileModule(await text(f), { reportDiagnostics: true, fileName: f });
        expect((out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), f).toEqual([]);
      } else if (f.endsWith('.rb') || f === 'Rakefile' || f === 'Gemfile' || f.endsWith('.ru')) {
        if (!requireTool(tools.ruby)) return;
        const r = await run('ruby', ['-c', abs], dir);
        expect(r.code, `${f}: ${r.out}`).toBe(0);
      } else if (f.endsWith('.py')) {
        if (!requireTool(tools.python)) return;
        const r = await run(tools.python.bin, ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', abs], dir);
        expect(r.code, `${f}: ${r.out}`).toBe(0);
      } else continue;
      checked++;
    }
    expect(checked, 'no source file was syntax-checked').toBeGreaterThan(0);
  });

  it('is deterministic: a second run is byte-identical except .env', async () => {
    const second = await generateFull(lang, framework, db);
    expect(second.files).toEqual(files);
    for (const f of files) {
      const [a, b] = await Promise.all([readFile(path.join(dir, f)), readFile(path.join(second.dir, f))]);
      // The root .env, and the k8s/ overlays' .env files for their Secrets.
      if (f === '.env' || f.endsWith('/.env')) expect(a.equals(b), `${f} must hold fresh random passwords`).toBe(false);
      else expect(a.equals(b), f).toBe(true);
    }
  });
});
