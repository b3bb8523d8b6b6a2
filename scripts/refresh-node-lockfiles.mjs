#!/usr/bin/env node
// Resolves the package-lock.json of every Node framework × database from the package.json
// the generator writes (src/languages/node.ts, pins in src/versions.ts) and stores it where
// the plan takes it from (the framework's `lockfiles` directory, <db>.package-lock.json.ejs),
// with the project name left to fill in.
//
//     npm run lockfiles   (npm run build && node scripts/refresh-node-lockfiles.mjs)
//
// Direct dependencies resolve to exactly the versions src/versions.ts pins (npm is first
// given exact versions, then the manifest's caret ranges, which keep what is locked);
// transitive ones to the newest releases their ranges allow today.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { buildPlan, combinations } = await import(path.join(root, 'dist/src/index.js'));

// A name no real project has, replaced by the template tag below.
const PLACEHOLDER = 'cbs-lockfile-placeholder-name';
const NAME_TAG = '<%- project.name %>';
const secrets = new Proxy({}, { get: () => 'unused' });

for (const { framework, db } of combinations().filter((c) => c.lang === 'node')) {
  const plan = buildPlan(
    { lang: 'node', framework, db, name: PLACEHOLDER, ci: 'none', docker: false, git: false },
    { generatorVersion: '0.0.0', secrets },
  );
  const manifest = JSON.parse(plan.files.find((f) => f.path === 'package.json').content);
  const npmrc = plan.files.find((f) => f.path === '.npmrc').content;
  const lockTemplate = plan.files.find((f) => f.path === 'package-lock.json').template;
  const dir = mkdtempSync(path.join(tmpdir(), `lockfile-${framework}-${db}-`));
  try {
    writeFileSync(path.join(dir, '.npmrc'), npmrc);
    const exact = (deps) => Object.fromEntries(Object.entries(deps).map(([n, v]) => [n, v.replace(/^\^/, '')]));
    const npm = () =>
      execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ ...manifest, dependencies: exact(manifest.dependencies), devDependencies: exact(manifest.devDependencies) }),
    );
    npm();
    writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    npm();
    const lock = readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
    if (lock.includes('"resolved"')) throw new Error('npm wrote registry URLs despite omit-lockfile-registry-resolved');
    const template = lock.replaceAll(`"name": "${PLACEHOLDER}"`, `"name": "${NAME_TAG}"`);
    if (template.includes(PLACEHOLDER)) throw new Error(`the placeholder name is left somewhere else in the ${framework} × ${db} lockfile`);
    const out = path.join(root, 'templates', lockTemplate);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, template);
    console.log(`${path.relative(root, out)}: ${Object.keys(JSON.parse(lock).packages).length - 1} packages`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
