/**
 * Python projects run on Debian's interpreter and Debian's packaged libraries. PyPI is not
 * reachable here, so the real `make install` (a virtualenv filled from PyPI with the pinned
 * releases) cannot run; the apt packages below stand in for it. They are older releases
 * (FastAPI 0.92 / pydantic 1.10, psycopg 3.1, PyMySQL 1.0, pymongo 3.11, pytest 7.2,
 * httpx 0.23, uvicorn 0.17), which the generated code is written to run on as well.
 *
 * `/usr/bin/python3` explicitly: the `python3` first on PATH may be another interpreter
 * (pyenv) that does not see apt's modules.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { run, runOk } from '../../support/processes.js';
import type { LocalRuntime } from './types.js';

const PYTHON = '/usr/bin/python3';

/** Module the generated project imports → the Debian package that provides it. */
const MODULES: Record<string, string> = {
  fastapi: 'python3-fastapi',
  starlette: 'python3-starlette',
  uvicorn: 'python3-uvicorn',
  pytest: 'python3-pytest',
  httpx: 'python3-httpx',
  psycopg: 'python3-psycopg',
  pymysql: 'python3-pymysql',
  pymongo: 'python3-pymongo',
};

/** Prints the modules that fail to import, one per line. */
const PROBE = `
import importlib, sys
assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, this is " + sys.version.split()[0]
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        print(name)
`;

export const runtime: LocalRuntime = {
  async lintUnavailable() {
    return 'ruff cannot be installed here (PyPI is unreachable and Debian 12 does not package it)';
  },
  async unavailable() {
    if (!existsSync(PYTHON)) {
      return `${PYTHON} does not exist (apt-get install python3 ${Object.values(MODULES).join(' ')})`;
    }
    const make = await run('sh', ['-c', 'command -v make'], { cwd: homedir(), timeoutMs: 10_000 });
    if (make.code !== 0) return '`make` is not on PATH (apt-get install make)';
    const probe = await run(PYTHON, ['-c', PROBE, ...Object.keys(MODULES)], { cwd: homedir(), timeoutMs: 60_000 });
    if (probe.code !== 0) return `${PYTHON} cannot run the module check: ${probe.stderr.trim().split('\n').at(-1)}`;
    const missing = probe.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (missing.length > 0) {
      const packages = missing.map((m) => MODULES[m] ?? m).join(' ');
      return `${PYTHON} cannot import ${missing.join(', ')} (apt-get install ${packages})`;
    }
    return null;
  },

  // Every target runs the interpreter that has the Debian packages instead of the project's .venv.
  makeVars: { PYTHON },

  async env() {
    return {};
  },

  // No download: PyPI is unreachable, and the Debian packages above are the dependencies.
  // What remains of an install is proof that the project imports with them.
  async install(dir, env) {
    await runOk(PYTHON, ['-c', 'import app.main, app.migrate, app.store'], { cwd: dir, env, timeoutMs: 60_000 });
  },
};
