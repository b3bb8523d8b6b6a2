import type { python as versions } from '../versions.js';
import type { FileRule } from '../plan/types.js';

/**
 * What Python's framework entries share with the language (python.ts) and with each other,
 * in a module of its own so each framework's entry (python-<framework>.ts) imports it without
 * a cycle through the language.
 */

export type PackageName = keyof typeof versions.packages;
export type DevPackageName = keyof typeof versions.devPackages;

export const t = (path: string): string => `python/${path}`;

/**
 * What a Python framework's entry declares for pyproject.toml and uv.lock (its `data`); the
 * connector's `data.packages`/`data.devPackages` add the database's driver, pool and stubs.
 */
export interface PythonFrameworkData {
  packages: PackageName[];
  devPackages: DevPackageName[];
  /** mypy plugins (`pydantic.mypy`, `mypy_django_plugin.main` …). */
  mypyPlugins: string[];
  /** Extra `[tool.*]` sections (`django-stubs` settings …), merged into pyproject.toml. */
  tool?: Record<string, unknown>;
  /**
   * The directory below templates/ that holds its uv.lock per database (`<db>.uv.lock.ejs`),
   * resolved from the pyproject.toml this file builds by scripts/python-lock.mjs.
   */
  locks: string;
  /** Importable packages mypy and the wheel cover (`app`, or Django's project and apps). */
  sourcePackages: string[];
  /**
   * The oldest Python the framework runs on (`requires-python`, ruff's target, mypy's
   * python_version), when newer than the language's (Django 6: 3.12).
   */
  minimumPython?: string;
  /** Console scripts (`[project.scripts]`); absent: the `app` package's server and migrate. */
  scripts?: Record<string, string>;
  /** Extra `[tool.pytest.ini_options]` (pytest-django's DJANGO_SETTINGS_MODULE …). */
  pytestOptions?: Record<string, unknown>;
  /** Directories of generated code (Django's migrations) that ruff and mypy leave alone. */
  generatedDirs?: string[];
}

/**
 * The `app` package the plain-driver frameworks (FastAPI, Flask) share: settings, the
 * Pydantic models of the API's bodies, the store interface, the Docker health probe, and the
 * tests that do not touch the framework (the functional layer is black-box HTTP against
 * `python -m app`). With the connectors' files, everything but the HTTP layer.
 */
export const plainDriverFiles: FileRule[] = [
  { from: t('app/__init__.py'), to: 'app/__init__.py' },
  { from: t('app/config.py'), to: 'app/config.py' },
  { from: t('app/healthcheck.py'), to: 'app/healthcheck.py' },
  { from: t('app/models.py.ejs'), to: 'app/models.py' },
  { from: t('app/storage.py'), to: 'app/storage.py' },
  { from: t('app/strict_json.py'), to: 'app/strict_json.py' },
  // One black-box suite for every framework; Django serves and migrates its own way.
  { from: t('tests/functional/conftest.py.ejs'), to: 'tests/functional/conftest.py', data: { django: false } },
  { from: t('tests/functional/test_api.py'), to: 'tests/functional/test_api.py' },
  { from: t('tests/unit/fake_store.py.ejs'), to: 'tests/unit/fake_store.py' },
  { from: t('tests/unit/test_config.py'), to: 'tests/unit/test_config.py' },
  { from: t('tests/unit/test_ids.py.ejs'), to: 'tests/unit/test_ids.py' },
];

/** What the shared `app` package needs whichever plain-driver framework serves it. */
export const plainDriverPackages: PackageName[] = ['pydantic', 'pydantic-settings'];

/** Layout lines of the shared `app` package and tests. */
export const plainDriverLayout: Array<[string, string]> = [
  ['app/models.py', 'Pydantic models of the request and response bodies'],
  ['app/store.py', 'every database query, parameterised'],
  ['app/migrate.py', '`make migrate`: applies migrations/*.sql (SQL) or ensures indexes (MongoDB)'],
  ['app/config.py', 'settings from environment variables and `.env` (pydantic-settings)'],
  ['app/strict_json.py', 'strict JSON parsing: depth, encoding and number limits (400)'],
  ['tests/functional/', 'black-box HTTP against BASE_URL, or a server the suite starts (and stops with SIGTERM)'],
];

