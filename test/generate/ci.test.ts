import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createBackend } from '../../src/index.js';
import { combinations, connectorFor, languageFor } from '../../src/languages/index.js';
import { actions } from '../../src/versions.js';
import { tempDir } from '../cli/run-cli.js';

/**
 * The CI files of every generated project, held to their published schemas (offline copies,
 * see test/schemas/SOURCES.md; the workflow's ships with @action-validator/core) and to what
 * issue 15 asks of them: frozen installs, an audit step, dependency caches, Dependabot for
 * every ecosystem the project pins, checkout without persisted credentials, a read-only token.
 */

const schema = async (file: string) =>
  JSON.parse(await readFile(path.resolve(import.meta.dirname, '../schemas', file), 'utf8')) as object;
// The schemas use editor-only keywords (markdownDescription …) that strict mode refuses; formats are not checked.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validateDependabot = ajv.compile(await schema('dependabot-2.0.json'));
const validateGitlab = ajv.compile(await schema('gitlab-ci.json'));

const combos = combinations();

type Step = { uses?: string; run?: string; name?: string; with?: Record<string, unknown> };

describe.each(combos)('$lang ($framework) × $db CI files', ({ lang, framework, db }) => {
  let dir = '';
  const yaml = async (f: string) => parseYaml(await readFile(path.join(dir, f), 'utf8'));
  const spec = languageFor(lang, framework);

  beforeAll(async () => {
    dir = path.join(await tempDir(`ci-${lang}-${framework}-${db}`), 'my-api');
    await createBackend({ directory: dir, lang, framework, db, ci: 'both', docker: true, git: false });
  });

  it('.github/workflows/ci.yml: valid, read-only token, checkout without credentials, cache and audit', async () => {
    const text = await readFile(path.join(dir, '.github/workflows/ci.yml'), 'utf8');
    expect(validateWorkflow(text).errors).toEqual([]);
    const workflow = parseYaml(text);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const steps: Step[] = workflow.jobs.test.steps;
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.uses).toBe(actions.checkout);
    expect(checkout?.with?.['persist-credentials']).toBe(false);
    for (const s of steps) if (s.uses) expect(s.uses, 'pinned to a release').toMatch(/@v\d/);

    const runs = steps.map((s) => s.run ?? '');
    const install = runs.indexOf('make install');
    const audit = runs.findIndex((r) => r.includes(spec.ci.audit.at(-1)!));
    expect(install).toBeGreaterThan(-1);
    expect(audit, 'the audit runs on what make install installed').toBeGreaterThan(install);
    expect(runs.indexOf('make test')).toBeGreaterThan(audit);

    const cached = steps.some(
      (s) =>
        s.with?.cache !== undefined ||
        s.with?.['bundler-cache'] === true ||
        s.with?.['enable-cache'] === true || // astral-sh/setup-uv
        s.uses === actions.cache,
    );
    expect(cached, 'a dependency cache').toBe(true);
  });

  it('.gitlab-ci.yml: valid against GitLab’s CI schema, cache keyed on the pinning files, audit after install', async () => {
    const ci = await yaml('.gitlab-ci.yml');
    const valid = validateGitlab(ci);
    expect(valid ? [] : validateGitlab.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    const job = ci.test;
    expect(job.cache.key.files).toEqual(spec.ci.gitlabCache.keyFiles);
    expect(job.cache.key.files.length).toBeLessThanOrEqual(2); // GitLab's limit
    for (const p of job.cache.paths) expect(p, 'GitLab caches only paths inside the project').not.toMatch(/^[/~]|\.\./);
    const script: string[] = job.script;
    expect(script[0]).toBe('make install');
    expect(script).toEqual(expect.arrayContaining(spec.ci.audit));
    expect(script.indexOf(spec.ci.audit[0]!)).toBe(1);
  });

  // mysqlclient (Django × MySQL) builds from source: slim CI images lack a compiler and its headers.
  const build = connectorFor(lang, framework, db)!.buildPackages ?? [];
  if (build.length) it("installs the driver's build packages before make install, in both CIs", async () => {
    const github = ((await yaml('.github/workflows/ci.yml')).jobs.test.steps as Step[]).map((s) => s.run ?? '');
    const gitlab = [...((await yaml('.gitlab-ci.yml')).test.before_script as string[])];
    for (const lines of [github, gitlab]) {
      const at = lines.findIndex((l) => /apt-get install/.test(l) && build.every((p) => l.split(/\s+/).includes(p)));
      if (build.length) expect(at, `a step installing ${build.join(' ')}`).toBeGreaterThanOrEqual(0);
    }
    if (build.length) expect(github.findIndex((l) => l.includes(build[0]!))).toBeLessThan(github.indexOf('make install'));
  });

  it('.github/dependabot.yml: valid, covering the packages, the images and the actions', async () => {
    const text = await readFile(path.join(dir, '.github/dependabot.yml'), 'utf8');
    expect(text, 'plain YAML, no anchors or aliases').not.toMatch(/[&*]a\d/);
    const config = parseYaml(text);
    const valid = validateDependabot(config);
    expect(valid ? [] : validateDependabot.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    const ecosystems = config.updates.map((u: Record<string, unknown>) => u['package-ecosystem']);
    expect(ecosystems).toEqual([spec.ci.dependabotEcosystem, 'docker', 'docker-compose', 'github-actions']);
  });
});

describe('CI files follow the answers', () => {
  it('without Docker, Dependabot watches no images; without GitHub, there is no Dependabot', async () => {
    const noDocker = path.join(await tempDir('ci-no-docker'), 'app');
    await createBackend({ directory: noDocker, lang: 'node', db: 'postgres', ci: 'github', docker: false, git: false });
    const config = parseYaml(await readFile(path.join(noDocker, '.github/dependabot.yml'), 'utf8'));
    expect(config.updates.map((u: Record<string, unknown>) => u['package-ecosystem'])).toEqual(['npm', 'github-actions']);
    expect(validateDependabot(config)).toBe(true);

    const gitlabOnly = path.join(await tempDir('ci-gitlab-only'), 'app');
    await createBackend({ directory: gitlabOnly, lang: 'node', db: 'postgres', ci: 'gitlab', docker: true, git: false });
    await expect(readFile(path.join(gitlabOnly, '.github/dependabot.yml'))).rejects.toThrow(/ENOENT/);
  });

  it('the schemas reject what they should (so a pass means something)', () => {
    expect(validateDependabot({ version: 2, updates: [{ 'package-ecosystem': 'npmm', directory: '/', schedule: { interval: 'weekly' } }] })).toBe(false);
    expect(validateGitlab({ test: { script: 'make test', cache: { key: { files: 'package-lock.json' } } } })).toBe(false);
  });
});
