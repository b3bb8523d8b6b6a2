/**
 * Python projects are installed as their README says: `make install`, which runs
 * `uv sync --locked`, so every package comes from PyPI at exactly the version uv.lock pins
 * (and uv fails if the lock does not match pyproject.toml). The interpreter (UV_PYTHON) is
 * the oldest CPython on this machine that the project's `requires-python` admits: `python3`
 * on PATH (3.11 here) or one of pyenv's (`$PYENV_ROOT/versions/*`, 3.12 and 3.13 here, for
 * Django 6); the Dockerfile's newer CPython cannot be had here (no Docker).
 * uv itself is the pinned release from PyPI, installed once into a per-user cache.
 * After the install, the installed versions are compared with the project's pins and
 * printed, so the output says which releases ran.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { frameworkSpec } from '../../../src/languages/index.js';
import type { PythonFrameworkData } from '../../../src/languages/python-common.js';
import { python as versions } from '../../../src/versions.js';
import { run, runOk } from '../../support/processes.js';
import type { LocalRuntime } from './types.js';

const UV_VERSION = versions.uv;
const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'create-backend-starter');
const uvDir = path.join(cacheRoot, `uv-${UV_VERSION}`);
const uvBin = path.join(uvDir, 'bin', 'uv');
const [minMajor, minMinor] = versions.minimum.split('.').map(Number) as [number, number];

/** The packages whose versions the output names, in this order, when the project has them. */
const KEY_PACKAGES = [
  'fastapi', 'starlette', 'pydantic', 'pydantic-settings', 'uvicorn',
  'django', 'djangorestframework', 'drf-spectacular', 'gunicorn',
  'psycopg', 'psycopg-pool', 'pymysql', 'sqlalchemy', 'mysqlclient', 'pymongo',
  'pytest', 'pytest-django', 'ruff', 'mypy', 'django-stubs',
];

interface Interpreter {
  path: string;
  version: string;
}

let interpreter: Promise<Interpreter | string> | undefined;

/** The absolute path and version of `python3`, or why it cannot serve. */
function findInterpreter(): Promise<Interpreter | string> {
  interpreter ??= (async () => {
    const probe = await run('python3', ['-c', 'import sys; print(sys.executable); print(*sys.version_info[:3], sep=".")'], {
      cwd: homedir(),
      timeoutMs: 30_000,
    });
    if (probe.code !== 0) return `python3 is not on PATH or does not run (${probe.stderr.trim().split('\n').at(-1) ?? ''})`;
    const [exe, version] = probe.stdout.trim().split('\n');
    const [major, minor] = (version ?? '').split('.').map(Number);
    if (!exe || major === undefined || minor === undefined) return `python3 printed no version: ${probe.stdout.trim()}`;
    if (major < minMajor || (major === minMajor && minor < minMinor)) {
      return `python3 is ${version}; the generated project needs >= ${versions.minimum}`;
    }
    return { path: exe, version: version! };
  })();
  return interpreter;
}

let candidates: Promise<Interpreter[]> | undefined;

/** Every CPython here: `python3` on PATH and pyenv's versions, oldest first. */
function findCandidates(): Promise<Interpreter[]> {
  candidates ??= (async () => {
    const pyenvRoot = process.env.PYENV_ROOT || path.join(homedir(), '.pyenv');
    const pyenvVersions = await readdir(path.join(pyenvRoot, 'versions')).catch(() => [] as string[]);
    const paths = ['python3', ...pyenvVersions.map((v) => path.join(pyenvRoot, 'versions', v, 'bin', 'python3')).filter((p) => existsSync(p))];
    const found: Interpreter[] = [];
    for (const candidate of paths) {
      const probe = await run(candidate, ['-c', 'import sys; print(sys.executable); print(*sys.version_info[:3], sep=".")'], {
        cwd: homedir(),
        timeoutMs: 30_000,
      }).catch(() => null);
      if (!probe) continue;
      const [exe, version] = probe.stdout.trim().split('\n');
      if (probe.code === 0 && exe && version && !found.some((f) => f.path === exe)) found.push({ path: exe, version });
    }
    return found.sort((a, b) => compareVersions(a.version, b.version));
  })();
  return candidates;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x![i] ?? 0) !== (y![i] ?? 0)) return (x![i] ?? 0) - (y![i] ?? 0);
  return 0;
}

/** The oldest CPython here of `minimum` (`3.12`) or later, or why there is none. */
async function interpreterAtLeast(minimum: string): Promise<Interpreter | string> {
  const found = await findCandidates();
  const fit = found.find((i) => compareVersions(i.version, minimum) >= 0);
  if (fit) return fit;
  const seen = found.map((i) => i.version).join(', ') || 'none';
  return `no CPython >= ${minimum} here (python3 on PATH and pyenv's versions: ${seen}); install one with pyenv`;
}

/** The project's `requires-python = ">=X.Y"` lower bound. */
async function requiredPython(dir: string): Promise<string> {
  const manifest = parseToml(await readFile(path.join(dir, 'pyproject.toml'), 'utf8')) as { project: { 'requires-python': string } };
  const match = /^>=\s*(\d+\.\d+)$/.exec(manifest.project['requires-python'].trim());
  if (!match) throw new Error(`requires-python is not of the form >=X.Y: ${manifest.project['requires-python']}`);
  return match[1]!;
}

let ensured: Promise<string | null> | undefined;

/** uv from PyPI, once: null when it is there, else why it could not be installed. */
function ensureUv(python: string): Promise<string | null> {
  ensured ??= (async () => {
    if (await uvReports(UV_VERSION)) return null;
    await mkdir(cacheRoot, { recursive: true });
    const tmp = await mkdtemp(path.join(cacheRoot, `uv-${UV_VERSION}.tmp-`));
    try {
      // --target: the uv binary is self-contained, so the directory can be renamed into place.
      const pip = await run(
        python,
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--target', tmp, `uv==${UV_VERSION}`],
        { cwd: tmp, timeoutMs: 5 * 60_000 },
      );
      if (pip.code !== 0) {
        return `uv ${UV_VERSION} could not be installed from PyPI: ${pip.stderr.trim().split('\n').slice(-2).join(' ')}`;
      }
      try {
        await rename(tmp, uvDir);
      } catch (error) {
        // Another worker got there first; its copy is as good as ours.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return (await uvReports(UV_VERSION)) ? null : `${uvBin} does not report uv ${UV_VERSION}`;
  })();
  return ensured;
}

async function uvReports(version: string): Promise<boolean> {
  if (!existsSync(uvBin)) return false;
  const r = await run(uvBin, ['--version'], { cwd: homedir(), timeoutMs: 30_000 });
  return r.code === 0 && r.stdout.trim().startsWith(`uv ${version}`);
}

/** `name==version` requirements of the project's pyproject.toml, by normalised name. */
async function pinnedRequirements(dir: string): Promise<Map<string, string>> {
  const manifest = parseToml(await readFile(path.join(dir, 'pyproject.toml'), 'utf8')) as {
    project: { dependencies: string[] };
    'dependency-groups': { dev: string[] };
  };
  const pins = new Map<string, string>();
  for (const requirement of [...manifest.project.dependencies, ...manifest['dependency-groups'].dev]) {
    const match = /^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)$/.exec(requirement);
    if (!match) throw new Error(`pyproject.toml requirement is not pinned exactly: ${requirement}`);
    pins.set(normalise(match[1]!), match[2]!);
  }
  return pins;
}

const normalise = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

export const runtime: LocalRuntime = {
  async unavailable() {
    const found = await findInterpreter();
    if (typeof found === 'string') return found;
    const make = await run('sh', ['-c', 'command -v make'], { cwd: homedir(), timeoutMs: 10_000 });
    if (make.code !== 0) return '`make` is not on PATH (apt-get install make)';
    return ensureUv(found.path);
  },

  async lintUnavailable() {
    return null;
  },

  // A framework may need a newer Python than the language's minimum (Django 6: 3.12).
  async unavailableFor(framework) {
    const data = frameworkSpec('python', framework)?.data as PythonFrameworkData | undefined;
    const found = await interpreterAtLeast(data?.minimumPython ?? versions.minimum);
    return typeof found === 'string' ? found : null;
  },

  // uv for `make install` (on UV_PYTHON, see env); every other target runs .venv/bin/python.
  makeVars: { UV: uvBin },

  async env(): Promise<Record<string, string>> {
    const found = await findInterpreter();
    // UV_PYTHON wins over the project's .python-version (the Dockerfile's release, which uv
    // would download from GitHub, out of reach here): the resolved path, not pyenv's shim.
    return typeof found === 'string' ? {} : { UV_PYTHON: found.path, UV_NO_PROGRESS: '1' };
  },

  async install(dir, env) {
    const found = await interpreterAtLeast(await requiredPython(dir));
    if (typeof found === 'string') throw new Error(found);
    await runOk('make', ['--no-print-directory', 'install', `UV=${uvBin}`], {
      cwd: dir,
      env: { ...env, UV_PYTHON: found.path },
      timeoutMs: 10 * 60_000,
    });
    const listed = await runOk(uvBin, ['pip', 'list', '--format', 'json', '--python', path.join(dir, '.venv/bin/python')], {
      cwd: dir,
      env,
      timeoutMs: 60_000,
    });
    const installed = new Map(
      (JSON.parse(listed.stdout) as { name: string; version: string }[]).map((p) => [normalise(p.name), p.version]),
    );
    const pins = await pinnedRequirements(dir);
    const wrong = [...pins].filter(([name, version]) => installed.get(name) !== version);
    if (wrong.length > 0) {
      const detail = wrong.map(([name, version]) => `${name} pinned ${version}, installed ${installed.get(name) ?? 'nothing'}`);
      throw new Error(`make install did not install the pinned releases: ${detail.join('; ')}`);
    }
    const python = await runOk(path.join(dir, '.venv/bin/python'), ['-c', 'import platform; print(platform.python_implementation(), platform.python_version())'], {
      cwd: dir,
      env,
      timeoutMs: 30_000,
    });
    const key = KEY_PACKAGES.filter((name) => installed.has(name)).map((name) => `${name} ${installed.get(name)}`);
    console.log(
      `[python] ${path.basename(path.dirname(dir))}: make install (uv ${UV_VERSION} sync --locked, from PyPI) → ` +
        `${python.stdout.trim()}; ${installed.size} packages, every pin exact: ${key.join(', ')}`,
    );
    if (installed.has('pymongo') && !process.env.CBS_MONGO_SERVER?.startsWith('MongoDB (')) {
      console.log(
        `[python] ${path.basename(path.dirname(dir))}: against the MongoDB protocol via FerretDB: the code uses no ` +
          'transactions, explicit sessions or compression; not verified here: how mongod itself treats ' +
          "pymongo's implicit session ids (FerretDB accepts and ignores them), builds the listing index and plans its queries",
      );
    }
  },
};
