/**
 * The package as npm publishes it: pack the built checkout, install the tarball into an
 * empty project, and generate every combination with its installed bin. This is what
 * proves the bundle really has zero runtime dependencies, finds its templates, and that
 * `files` in package.json leaves nothing out.
 *
 * It packs with --ignore-scripts (no prepack build): rebuilding dist/ here would pull it
 * from under the other test files running at the same time. `npm test` builds first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../cli/run-cli.js';

// The combinations come from the registries as built, never from a list typed here.
const { languageIds, databaseIds, combinations } = (await import(pathToFileURL(path.join(repoRoot, 'dist/index.bundle.js')).href)) as {
  languageIds: string[];
  databaseIds: string[];
  combinations: () => { lang: string; framework: string; db: string }[];
};

const combos = combinations();

let work: string;
let project: string;
let installed: string;
let bin: string;

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout;
}

function runBin(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env: { ...process.env, CI: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  work = await tempDir('pack');
  const out = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot);
  const [{ filename }] = JSON.parse(out.slice(out.indexOf('['))) as [{ filename: string }];

  project = path.join(work, 'project');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'pack-test', private: true }));
  npm(['install', path.join(work, filename), '--no-audit', '--no-fund', '--loglevel=error'], project);

  installed = path.join(project, 'node_modules/create-backend-starter');
  bin = path.join(project, 'node_modules/.bin/create-backend-starter');
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed tarball installed into an empty project', () => {
  it('brings no dependencies: node_modules holds the package and nothing else', async () => {
    const entries = readdirSync(path.join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(entries).toEqual(['create-backend-starter']);
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      expect(manifest.peerDependenciesMeta?.[peer]?.optional, `peer dependency ${peer} must be optional`).toBe(true);
    }
  });

  it('ships the bundles, not the tsc output that needs the dependencies', () => {
    expect(existsSync(path.join(installed, 'dist/cli.bundle.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'dist/src/cli.js'))).toBe(false);
    // tsc emits to the same path (where Yeoman's lookup expects a generator), so a bare
    // `tsc` after the build leaves a generator importing ../../src and its dependencies.
    const generator = readFileSync(path.join(installed, 'dist/generators/app/index.js'), 'utf8');
    expect(generator, 'dist/generators/app/index.js is tsc output, not the bundle: run `npm run build`').not.toMatch(
      /from ['"]\.\.\/\.\.\/src\//,
    );
  });

  it('answers --help and --version from the installed bin', async () => {
    const help = await runBin(['--help'], work);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('--lang');
    const version = await runBin(['--version'], work);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it('still reports usage errors with exit code 2', async () => {
    const r = await runBin(['x', '--db', 'sqlite', '--yes'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sqlite/);
  });

  describe.each(combos)('generates $lang/$framework × $db', ({ lang, framework, db }) => {
    it('with --yes --no-git --no-install', async () => {
      const name = `${lang}-${framework}-${db}`;
      const out = path.join(work, 'generated');
      await mkdir(out, { recursive: true });
      const r = await runBin([name, '--lang', lang, '--framework', framework, '--db', db, '--yes', '--no-git', '--no-install'], out);
      expect(r.code, r.stderr).toBe(0);

      const dir = path.join(out, name);
      const common = ['README.md', 'Makefile', '.gitignore', '.env.example', '.env', 'docker-compose.yml', '.dockerignore', '.github/workflows/ci.yml', 'k8s/base/kustomization.yaml'];
      for (const f of common) {
        expect(existsSync(path.join(dir, f)), `${name}/${f}`).toBe(true);
      }
      const stamp = JSON.parse(await readFile(path.join(dir, '.backend-starter.json'), 'utf8'));
      expect(stamp.answers).toEqual({ lang, framework, db, name, ci: 'github', docker: true, kubernetes: true, git: false });
      expect(existsSync(path.join(dir, '.git'))).toBe(false);
    });
  });

  it('works as a library: import { createBackend } from the installed package', async () => {
    const entry = createRequire(path.join(project, 'package.json')).resolve('create-backend-starter');
    const { createBackend } = (await import(pathToFileURL(entry).href)) as {
      createBackend: (o: Record<string, unknown>) => Promise<{ files: string[]; answers: Record<string, unknown> }>;
    };
    const dir = path.join(work, 'library', 'lib-api');
    const result = await createBackend({ directory: dir, lang: languageIds[0], db: databaseIds[0], git: false });
    expect(result.answers.name).toBe('lib-api');
    expect(result.files.length).toBeGreaterThan(0);
    for (const f of result.files) expect(existsSync(path.join(dir, f)), f).toBe(true);
  });
});
