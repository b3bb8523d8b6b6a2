import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import { databaseIds } from '../../src/databases/index.js';
import { combinations, type FrameworkId, languages } from '../../src/languages/index.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { node as versions } from '../../src/versions.js';
import { type Lockfile, type Manifest, lockfileDrift } from '../support/node-lockfile.js';

const templates = path.resolve(import.meta.dirname, '../../templates');
const pins: Record<string, string> = { ...versions.packages, ...versions.devPackages };
const secrets = { DB_PASSWORD: 'x', DB_ROOT_PASSWORD: 'y' };

/** The package.json and rendered package-lock.json a Node project with this framework and database gets. */
async function generated(db: (typeof databaseIds)[number], name = 'my-api', framework: FrameworkId = 'fastify') {
  const plan = buildPlan(
    { lang: 'node', framework, db, name, ci: 'none', docker: false, git: false },
    { generatorVersion: '1.0.0', secrets },
  );
  const file = (p: string) => {
    const f = plan.files.find((x) => x.path === p);
    if (!f) throw new Error(`the plan has no ${p}`);
    return f;
  };
  const pkg = file('package.json');
  const lock = file('package-lock.json');
  if (pkg.source !== 'content' || lock.source !== 'template') throw new Error('unexpected sources');
  const raw = await readFile(path.join(templates, lock.template), 'utf8');
  return {
    manifest: JSON.parse(pkg.content) as Manifest,
    lock: JSON.parse(ejs.render(raw, plan.templateData)) as Lockfile,
  };
}

const refresh = 'run `npm run lockfiles`';

describe.each(combinations().filter((c) => c.lang === 'node'))('node/$framework × $db package-lock.json', ({ framework, db }) => {
  it(`matches the generated package.json and the pins in src/versions.ts (else ${refresh})`, async () => {
    const { manifest, lock } = await generated(db, 'my-api', framework);
    expect(lockfileDrift(manifest, lock, pins)).toEqual([]);
  });

  it('carries the project name', async () => {
    const { lock } = await generated(db, 'another-name', framework);
    expect(lock.name).toBe('another-name');
    expect(lock.packages['']?.name).toBe('another-name');
  });
});

describe('a drifted lockfile', () => {
  it('is caught when a pin in src/versions.ts moves on', async () => {
    const { manifest, lock } = await generated('postgres');
    const bumped = { ...pins, fastify: '5.99.0' };
    expect(lockfileDrift(manifest, lock, bumped)).toEqual([`fastify: locked at ${pins.fastify}, src/versions.ts pins 5.99.0`]);
  });

  it('is caught when package.json gains, loses or changes a dependency', async () => {
    const { manifest, lock } = await generated('mysql');
    const added = { ...manifest, dependencies: { ...manifest.dependencies, zod: '^4.0.0' } };
    expect(lockfileDrift(added, lock, { ...pins, zod: '4.0.0' }).join('\n')).toMatch(/^dependencies: .*zod/m);
    const { fastify: _, ...withoutFastify } = manifest.dependencies ?? {};
    expect(lockfileDrift({ ...manifest, dependencies: withoutFastify }, lock, pins).join('\n')).toMatch(/^dependencies: /m);
    const engines = { ...manifest, engines: { node: '>=99' } };
    expect(lockfileDrift(engines, lock, pins).join('\n')).toMatch(/^engines: /m);
  });

  it('is caught when an entry lost its integrity hash or records a registry URL', async () => {
    const { manifest, lock } = await generated('mongo');
    const entry = Object.keys(lock.packages).find((k) => k.startsWith('node_modules/'))!;
    const tampered: Lockfile = structuredClone(lock);
    delete tampered.packages[entry]!.integrity;
    expect(lockfileDrift(manifest, tampered, pins)).toEqual([`${entry}: no version or integrity`]);
    const withUrl: Lockfile = structuredClone(lock);
    withUrl.packages[entry]!.resolved = 'https://registry.example/x.tgz';
    expect(lockfileDrift(manifest, withUrl, pins)).toEqual([`${entry}: records a registry URL (https://registry.example/x.tgz)`]);
  });
});

describe('frozen installs from the lockfile', () => {
  it('make install runs npm ci, and the Dockerfile runs it before the sources arrive, with a cache mount', async () => {
    const plan = buildPlan(
      { lang: 'node', framework: 'fastify', db: 'postgres', name: 'my-api', ci: 'github', docker: true, git: false },
      { generatorVersion: '1.0.0', secrets },
    );
    expect(languages.node.make.targets.install).toEqual(['$(NPM) ci']);
    const dockerfile = plan.files.find((f) => f.path === 'Dockerfile');
    if (dockerfile?.source !== 'template') throw new Error('no Dockerfile template');
    const text = ejs.render(await readFile(path.join(templates, dockerfile.template), 'utf8'), plan.templateData);
    const lines = text.split('\n');
    const copyLock = lines.findIndex((l) => /^COPY .*package-lock\.json/.test(l));
    const ci = lines.findIndex((l) => /^RUN --mount=type=cache,target=\/root\/\.npm npm ci\b/.test(l));
    const copySrc = lines.findIndex((l) => /^COPY src\b/.test(l));
    expect(copyLock).toBeGreaterThan(-1);
    expect(ci).toBeGreaterThan(copyLock);
    expect(copySrc).toBeGreaterThan(ci);
    expect(text).not.toMatch(/npm install/);
  });
});
