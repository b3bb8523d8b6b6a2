import { stringify } from 'smol-toml';
import { auditTools, python as versions } from '../versions.js';
import type { DatabaseId } from '../databases/index.js';
import type { Connector, FrameworkSpec, LanguageSpec, ManifestInput } from './types.js';
import { t, type DevPackageName, type PackageName, type PythonFrameworkData } from './python-common.js';
import { fastapi } from './python-fastapi.js';
import { django } from './python-django.js';
import { flask } from './python-flask.js';
import type { FileRule, PlannedFile } from '../plan/types.js';


const pinned: Record<PackageName | DevPackageName, string> = { ...versions.packages, ...versions.devPackages };

/** Extras installed with a package: psycopg's bundles libpq, so no system library is needed. */
const extras: Partial<Record<PackageName, string>> = { psycopg: '[binary]' };

function requirement(name: PackageName | DevPackageName): string {
  return `${name}${extras[name as PackageName] ?? ''}==${pinned[name]}`;
}

const byName = (a: string, b: string): number => a.toLowerCase().localeCompare(b.toLowerCase());


/** What every project installs, whichever framework and database it uses. */
const commonDevPackages: DevPackageName[] = ['mypy', 'pytest', 'ruff'];

interface PythonConnectorData {
  packages: PackageName[];
  devPackages?: DevPackageName[];
}

const frameworkData = (framework: FrameworkSpec): PythonFrameworkData => framework.data as unknown as PythonFrameworkData;

/** The exact requirements of a project: what pyproject.toml lists and uv.lock resolves. */
function pythonRequirements(framework: FrameworkSpec, connector: Connector): { dependencies: string[]; dev: string[] } {
  const own = frameworkData(framework);
  const driver = connector.data as unknown as PythonConnectorData;
  return {
    dependencies: [...own.packages, ...driver.packages].map(requirement).sort(byName),
    dev: [...new Set([...commonDevPackages, ...own.devPackages, ...(driver.devPackages ?? [])])].map(requirement).sort(byName),
  };
}

/** Where the lockfile template of a project on `db` lives, below templates/. */
export const pythonLockTemplate = (framework: FrameworkSpec, db: DatabaseId): string => `${frameworkData(framework).locks}/${db}.uv.lock.ejs`;

// SQL databases share the store and the migration runner; only app/database.py differs.
const sqlFiles = (db: 'postgres' | 'mysql'): FileRule[] => [
  { from: t('connectors/sql/db_api.py'), to: 'app/db_api.py' },
  { from: t('connectors/sql/store.py'), to: 'app/store.py' },
  { from: t('connectors/sql/migrate.py'), to: 'app/migrate.py' },
  { from: t(`connectors/${db}/database.py`), to: 'app/database.py' },
  { from: t('connectors/sql/test_migrate.py'), to: 'tests/unit/test_migrate.py' },
  { from: t('connectors/sql/test_pool.py'), to: 'tests/integration/test_pool.py' },
];

// What the Dockerfile needs whatever the database: uv, copied from its pinned image.
const dockerData = { uvImage: versions.uvImage };

const sqlData = {
  ...dockerData,
  idType: 'int',
  fakeId: 'self._last_id',
  validIds: ['1', '42', '9223372036854775807'],
  invalidIds: ['abc', '0', '-1', '1.5', '01', '9223372036854775808'],
  missingId: '9223372036854775807',
  dockerCopy: ['migrations'],
  // Migrations first: the server only starts on an up-to-date schema.
  containerCmd: '["sh", "-c", "python -m app.migrate && exec python -m app"]',
};

const connectors: Record<DatabaseId, Connector> = {
  postgres: {
    driver: 'psycopg',
    // psycopg has no client-side query timeout: the deadline that bounds a hung server.
    files: [
      ...sqlFiles('postgres'),
      { from: t('connectors/postgres/query_deadline.py'), to: 'app/query_deadline.py' },
      { from: t('connectors/postgres/test_query_deadline.py'), to: 'tests/integration/test_query_deadline.py' },
    ],
    data: {
      ...sqlData,
      packages: ['psycopg', 'psycopg-pool'],
      unreachableUrl: 'postgres://nobody:nothing@127.0.0.1:1/nothing',
    },
  },
  mysql: {
    driver: 'PyMySQL',
    files: sqlFiles('mysql'),
    // SQLAlchemy only for its bounded connection pool; PyMySQL ships no types (typeshed's stubs).
    data: {
      ...sqlData,
      packages: ['PyMySQL', 'SQLAlchemy'],
      devPackages: ['types-PyMySQL'],
      unreachableUrl: 'mysql://nobody:nothing@127.0.0.1:1/nothing',
    },
  },
  mongo: {
    driver: 'pymongo',
    files: [
      { from: t('connectors/mongo/store.py.ejs'), to: 'app/store.py' },
      { from: t('connectors/mongo/migrate.py'), to: 'app/migrate.py' },
    ],
    data: {
      ...dockerData,
      packages: ['pymongo'],
      idType: 'str',
      fakeId: 'f"{self._last_id:024x}"',
      validIds: ['0123456789abcdef01234567', 'FFFFFFFFFFFFFFFFFFFFFFFF'],
      invalidIds: ['abc', '0', '-1', '0123456789abcdef0123456', 'zzzzzzzzzzzzzzzzzzzzzzzz'],
      missingId: 'ffffffffffffffffffffffff',
      unreachableUrl: 'mongodb://127.0.0.1:1/nothing',
      dockerCopy: [],
      // Indexes are ensured by the server at start-up, without blocking it on the database.
      containerCmd: '["python", "-m", "app"]',
    },
  },
};

function databaseId(id: string): DatabaseId {
  if (!(id in connectors)) throw new Error(`no Python connector for database ${id}`);
  return id as DatabaseId;
}

function pyproject({ names, db, connector, framework }: ManifestInput): PlannedFile {
  const requirements = pythonRequirements(framework, connector);
  const own = frameworkData(framework);
  const minimum = own.minimumPython ?? versions.minimum;
  const generated = own.generatedDirs ?? [];
  const model = {
    'build-system': { requires: [versions.buildBackend], 'build-backend': 'hatchling.build' },
    project: {
      name: names.name,
      version: '0.1.0',
      description: `${names.title}: an HTTP API on ${framework.name} and ${db.label}`,
      readme: 'README.md',
      // The oldest Python the code is written for and verified on; containers and CI use
      // the newer release pinned in the Dockerfile and workflow.
      'requires-python': `>=${minimum}`,
      dependencies: requirements.dependencies,
      ...(own.scripts && Object.keys(own.scripts).length === 0
        ? {}
        : {
            scripts: own.scripts ?? {
              [names.name]: 'app.__main__:main',
              [`${names.name}-migrate`]: 'app.migrate:main',
            },
          }),
    },
    // PEP 735 groups: `uv sync` installs `dev` by default, the Docker image leaves it out.
    'dependency-groups': { dev: requirements.dev },
    tool: {
      hatch: { build: { targets: { wheel: { packages: own.sourcePackages } } } },
      mypy: {
        strict: true,
        python_version: minimum,
        files: [...own.sourcePackages, 'tests'],
        ...(generated.length > 0 ? { exclude: generated.map((dir) => `^${dir}/`) } : {}),
        plugins: own.mypyPlugins,
      },
      ...own.tool,
      pytest: {
        ini_options: {
          testpaths: ['tests'],
          // Lets a bare `pytest` import `app` without an install, like `python -m pytest`.
          pythonpath: ['.'],
          addopts: '-ra --strict-markers',
          ...own.pytestOptions,
        },
      },
      ruff: {
        'line-length': 100,
        'target-version': `py${minimum.replace('.', '')}`,
        ...(generated.length > 0 ? { 'extend-exclude': generated } : {}),
        lint: {
          select: ['ANN', 'ASYNC', 'B', 'E', 'F', 'FAST', 'I', 'N', 'PT', 'RUF', 'S', 'SIM', 'UP', 'W'],
          ignore: [
            // JSON documents and DB-API rows are Any by nature; mypy --strict checks the rest.
            'ANN401',
            // Tests assert with `assert`; the server binds 0.0.0.0 on purpose (containers).
            'S101',
            'S104',
          ],
        },
      },
    },
  };
  return { path: 'pyproject.toml', source: 'content', content: stringify(model) + '\n' };
}

export const python = {
  id: 'python',
  label: 'Python',
  image: versions.image,
  frameworks: { fastapi, django, flask },
  files: [
    { from: t('tests/__init__.py'), to: 'tests/__init__.py' },
    { from: t('tests/unit/__init__.py'), to: 'tests/unit/__init__.py' },
    { from: t('tests/integration/__init__.py'), to: 'tests/integration/__init__.py' },
    { from: t('tests/functional/__init__.py'), to: 'tests/functional/__init__.py' },
  ],
  dockerFiles: [{ from: t('Dockerfile.ejs'), to: 'Dockerfile' }],
  connectors,
  sqlMigrationsDir: 'migrations',
  manifests: (input) => [
    pyproject(input),
    // Resolved ahead of time from the same pins (scripts/python-lock.mjs), so generating
    // stays fast and offline; only the project's own name differs per project.
    { path: 'uv.lock', source: 'template', template: pythonLockTemplate(input.framework, databaseId(input.db.id)) },
    // uv builds .venv on this release (downloading it if needed), the one the Dockerfile
    // and CI run; `UV_PYTHON=python3 make install` picks another (>= requires-python).
    { path: '.python-version', source: 'content', content: `${versions.runtime}\n` },
  ],
  make: {
    // uv installs into the project's .venv, exactly as uv.lock says; PYTHON runs every other
    // target, so `make test PYTHON=/usr/bin/python3` uses an interpreter that already has them.
    variables: { PYTHON: '.venv/bin/python', UV: 'uv' },
    targets: {
      install: ['$(UV) sync --locked'],
      dev: ['$(PYTHON) -m app --reload'],
      start: ['$(PYTHON) -m app'],
      // The layers below are its prerequisites; nothing runs after them.
      test: [],
      lint: ['$(PYTHON) -m ruff check .', '$(PYTHON) -m ruff format --check .', '$(PYTHON) -m mypy'],
      migrate: ['$(PYTHON) -m app.migrate'],
    },
    // One pytest run per layer: a failing layer stops `make test` before the slower ones.
    testLayers: {
      unit: ['$(PYTHON) -m pytest tests/unit'],
      integration: ['$(PYTHON) -m pytest tests/integration'],
      functional: ['$(PYTHON) -m pytest tests/functional'],
    },
  },
  ci: {
    githubSetup: [
      {
        uses: versions.setupUvAction,
        // uv installs the Python in .python-version itself.
        with: {
          version: versions.uv,
          'enable-cache': true,
          'cache-dependency-glob': 'uv.lock',
        },
      },
    ],
    gitlabImage: versions.image,
    // Slim images have no make; uv comes from PyPI at the pinned release.
    gitlabBeforeScript: [
      'apt-get update && apt-get install -y --no-install-recommends make',
      `pip install --root-user-action=ignore uv==${versions.uv}`,
    ],
    gitlabCache: {
      keyFiles: ['uv.lock'],
      paths: ['.cache/uv/'],
      variables: { UV_CACHE_DIR: '$CI_PROJECT_DIR/.cache/uv' },
    },
    // pip-audit runs in a throwaway environment of uv's (uvx; CI's system Python may refuse
    // pip installs, PEP 668) and reads what `make install` put in .venv by path, since uv's
    // virtualenvs have no pip; it stays out of the project's dependencies.
    audit: [`uvx pip-audit==${auditTools.pipAudit} --skip-editable --path .venv/lib/python*/site-packages`],
    dependabotEcosystem: 'uv',
    lockfile: { path: 'uv.lock', writtenBy: 'generator' },
  },
  ignore: {
    git: [
      '.venv/',
      '__pycache__/',
      '*.py[cod]',
      '*.egg-info/',
      '.pytest_cache/',
      '.ruff_cache/',
      '.mypy_cache/',
      '.coverage',
      'htmlcov/',
      'build/',
      'dist/',
    ],
    docker: [
      '.venv',
      '**/__pycache__',
      '**/*.py[cod]',
      '*.egg-info',
      '.pytest_cache',
      '.ruff_cache',
      '.mypy_cache',
      'build',
      'dist',
      'tests',
      '.github',
      '.gitlab-ci.yml',
    ],
  },
  container: {
    // `useradd --uid 10001 app` in the Dockerfile; the group is ours to choose.
    uid: 10001,
    gid: 10001,
    // PYTHONDONTWRITEBYTECODE is set, so only temporary files.
    writablePaths: ['/tmp'],
    serve: ['python', '-m', 'app'],
    migrate: ['python', '-m', 'app.migrate'],
    migrationLock: true,
    // uvicorn waits for in-flight requests, which the database timeouts bound.
    shutdownSeconds: 15,
  },
  // What breaks `make install` or the venv: a project named like one of its own requirements
  // (direct or pulled in: every package in the uv.lock files, which a unit test checks) cannot
  // be resolved, and its console scripts `.venv/bin/<name>` and `<name>-migrate` would
  // overwrite an interpreter, an activate script or a tool's.
  reservedNames: [
    ...[...Object.keys(versions.packages), ...Object.keys(versions.devPackages), 'hatchling'].map((n) => n.toLowerCase()),
    'annotated-doc', 'annotated-types', 'anyio', 'ast-serialize', 'click', 'colorama', 'dnspython', 'h11',
    'httpcore2', 'httpx2-jsfetch', 'idna', 'iniconfig', 'librt', 'mypy-extensions', 'opentelemetry-api',
    'packaging', 'pathspec', 'pluggy', 'psycopg-binary', 'pydantic-core', 'pygments', 'python-dotenv',
    'truststore', 'typing-extensions', 'typing-inspection', 'tzdata',
    'activate', 'deactivate', 'dmypy', 'dotenv', 'mypyc', 'pip', 'pip3', 'pydoc', 'pygmentize', 'python',
    'python3', 'stubgen', 'stubtest', 'uv',
    'django', 'flask',
    // Flask's own dependencies, and gunicorn's control client.
    'blinker', 'itsdangerous', 'jinja2', 'markupsafe', 'gunicornc',
    // Pulled in by Django, DRF, drf-spectacular and the stubs; Django's own console scripts.
    'asgiref', 'attrs', 'django-stubs-ext', 'inflection', 'jsonschema', 'jsonschema-specifications',
    'pyyaml', 'referencing', 'rpds-py', 'sqlparse', 'types-pyyaml', 'uritemplate',
    'django-admin', 'sqlformat',
  ],
  defaultPort: 3000,
  layout: [
    ['pyproject.toml', 'dependencies (pinned), ruff, mypy and pytest settings'],
    ['uv.lock', 'every package, exact version and hash: `make install` installs exactly these'],
    ['.python-version', 'the CPython release uv builds `.venv` on: the one the Dockerfile and CI run'],
  ],
} satisfies LanguageSpec;
