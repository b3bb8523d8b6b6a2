import { stringify } from 'smol-toml';
import { auditTools, python as versions } from '../versions.js';
import type { DatabaseId } from '../databases/index.js';
import type { Connector, LanguageSpec, ManifestInput } from './types.js';
import type { FileRule, PlannedFile } from '../plan/types.js';

type PackageName = keyof typeof versions.packages | keyof typeof versions.devPackages;

const pinned = { ...versions.packages, ...versions.devPackages } as const;

/** Extras installed with a package: psycopg's bundles libpq, so no system library is needed. */
const extras: Partial<Record<PackageName, string>> = { psycopg: '[binary]' };

function requirement(name: PackageName): string {
  return `${name}${extras[name] ?? ''}==${pinned[name]}`;
}

const t = (path: string): string => `python/${path}`;


// SQL databases share the store and the migration runner; only app/database.py differs.
const sqlFiles = (db: 'postgres' | 'mysql'): FileRule[] => [
  { from: t('connectors/sql/store.py'), to: 'app/store.py' },
  { from: t('connectors/sql/migrate.py'), to: 'app/migrate.py' },
  { from: t(`connectors/${db}/database.py`), to: 'app/database.py' },
  { from: t('connectors/sql/test_migrate.py'), to: 'tests/unit/test_migrate.py' },
];

const sqlData = {
  idType: 'int',
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
    files: sqlFiles('postgres'),
    data: { ...sqlData, unreachableUrl: 'postgres://nobody:nothing@127.0.0.1:1/nothing' },
  },
  mysql: {
    driver: 'PyMySQL',
    files: sqlFiles('mysql'),
    data: { ...sqlData, unreachableUrl: 'mysql://nobody:nothing@127.0.0.1:1/nothing' },
  },
  mongo: {
    driver: 'pymongo',
    files: [
      { from: t('connectors/mongo/store.py.ejs'), to: 'app/store.py' },
      { from: t('connectors/mongo/migrate.py'), to: 'app/migrate.py' },
    ],
    data: {
      idType: 'str',
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

function driverPackage(driver: string): PackageName {
  if (!(driver in versions.packages)) throw new Error(`no pinned version for driver ${driver}`);
  return driver as PackageName;
}

function pyproject({ names, db, connector }: ManifestInput): PlannedFile {
  const model = {
    'build-system': { requires: [versions.buildBackend], 'build-backend': 'hatchling.build' },
    project: {
      name: names.name,
      version: '0.1.0',
      description: `${names.title}: an HTTP API on FastAPI and ${db.label}`,
      readme: 'README.md',
      // The oldest Python the code runs on (3.11: datetime.UTC); containers and CI use
      // the newer release pinned in the Dockerfile and workflow.
      'requires-python': '>=3.11',
      dependencies: [
        requirement('fastapi'),
        requirement(driverPackage(connector.driver)),
        requirement('uvicorn'),
      ].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
      'optional-dependencies': {
        dev: (Object.keys(versions.devPackages) as PackageName[]).sort().map(requirement),
      },
      scripts: {
        [names.name]: 'app.__main__:main',
        [`${names.name}-migrate`]: 'app.migrate:main',
      },
    },
    tool: {
      hatch: { build: { targets: { wheel: { packages: ['app'] } } } },
      pytest: {
        ini_options: {
          testpaths: ['tests'],
          // Lets a bare `pytest` import `app` without an install, like `python -m pytest`.
          pythonpath: ['.'],
          addopts: '-ra --strict-markers',
        },
      },
      ruff: {
        'line-length': 100,
        'target-version': 'py311',
        lint: {
          select: ['B', 'E', 'F', 'I', 'RUF', 'SIM', 'UP', 'W'],
          // `= Depends(...)` defaults rather than `Annotated[...]`: the same code then runs
          // on FastAPI releases before 0.95 (Debian's 0.92, for one).
          'flake8-bugbear': { 'extend-immutable-calls': ['fastapi.Depends'] },
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
  framework: {
    name: 'FastAPI',
    why:
      'FastAPI is the most popular modern Python API framework: ASGI, served by uvicorn, ' +
      'typed routes, and interactive API docs one argument away (`docs_url` in `app/main.py`; off ' +
      'by default, since every project answers unknown paths with 404). The database drivers are ' +
      'the plain, well-known ones (psycopg 3, PyMySQL, pymongo), called from synchronous ' +
      'endpoints that FastAPI runs on its thread pool, so there is no ORM to learn and every ' +
      'query is in `app/store.py`. Request bodies are checked by hand in `app/validation.py`, ' +
      'which keeps the rules and messages exact and the code independent of the pydantic ' +
      'major version. For SQL databases, schema changes are plain versioned `.sql` files in ' +
      '`migrations/`, applied by a small runner (`app/migrate.py`) that records each version ' +
      'in `schema_migrations`: Alembic and an ORM would be more machinery than a few ' +
      'statements need, and plain SQL files read the same in any tool.',
  },
  files: [
    { from: t('app/__init__.py'), to: 'app/__init__.py' },
    { from: t('app/__main__.py'), to: 'app/__main__.py' },
    { from: t('app/body_limit.py'), to: 'app/body_limit.py' },
    { from: t('app/config.py'), to: 'app/config.py' },
    { from: t('app/healthcheck.py'), to: 'app/healthcheck.py' },
    { from: t('app/items.py'), to: 'app/items.py' },
    { from: t('app/main.py.ejs'), to: 'app/main.py' },
    { from: t('app/validation.py'), to: 'app/validation.py' },
    { from: t('tests/integration/conftest.py'), to: 'tests/integration/conftest.py' },
    { from: t('tests/integration/test_items_api.py.ejs'), to: 'tests/integration/test_items_api.py' },
    { from: t('tests/unit/conftest.py'), to: 'tests/unit/conftest.py' },
    { from: t('tests/unit/test_config.py'), to: 'tests/unit/test_config.py' },
    { from: t('tests/unit/test_database_down.py.ejs'), to: 'tests/unit/test_database_down.py' },
    { from: t('tests/unit/test_http.py'), to: 'tests/unit/test_http.py' },
    { from: t('tests/unit/test_ids.py.ejs'), to: 'tests/unit/test_ids.py' },
    { from: t('tests/unit/test_validation.py'), to: 'tests/unit/test_validation.py' },
  ],
  dockerFiles: [{ from: t('Dockerfile.ejs'), to: 'Dockerfile' }],
  connectors,
  // The shared SQL files plus a small runner (app/migrate.py), not Alembic: Alembic goes
  // through SQLAlchemy, whose psycopg 3 dialect needs SQLAlchemy 2, while the Debian
  // packages this is verified with carry SQLAlchemy 1.4; plain DB-API calls run on both.
  sqlMigrationsDir: 'migrations',
  manifests: (input) => [pyproject(input)],
  make: {
    // The project's virtualenv by default; `PYTHON=/usr/bin/python3` runs everything with
    // an interpreter that already has the dependencies (then `make install` installs into it).
    variables: { PYTHON: '.venv/bin/python', BASE_PYTHON: 'python3' },
    targets: {
      install: [
        'command -v $(PYTHON) >/dev/null 2>&1 || $(BASE_PYTHON) -m venv .venv',
        "$(PYTHON) -m pip install -e '.[dev]'",
      ],
      dev: ['$(PYTHON) -m app --reload'],
      start: ['$(PYTHON) -m app'],
      test: ['$(PYTHON) -m pytest'],
      lint: ['$(PYTHON) -m ruff check .', '$(PYTHON) -m ruff format --check .'],
      migrate: ['$(PYTHON) -m app.migrate'],
    },
  },
  ci: {
    githubSetup: [
      {
        uses: versions.setupPythonAction,
        with: {
          'python-version': versions.runtime,
          cache: 'pip',
          'cache-dependency-path': 'pyproject.toml',
        },
      },
    ],
    gitlabImage: versions.image,
    // Slim images have no make.
    gitlabBeforeScript: ['apt-get update && apt-get install -y --no-install-recommends make'],
    gitlabCache: {
      keyFiles: ['pyproject.toml'],
      paths: ['.cache/pip/'],
      variables: { PIP_CACHE_DIR: '$CI_PROJECT_DIR/.cache/pip' },
    },
    // pip-audit runs from CI's own Python and reads what `make install` put in .venv (by path,
    // so a virtualenv without pip works too); it stays out of the project's dependencies.
    audit: [
      `python3 -m pip install --quiet pip-audit==${auditTools.pipAudit}`,
      'python3 -m pip_audit --skip-editable --path .venv/lib/python*/site-packages',
    ],
    dependabotEcosystem: 'pip',
  },
  ignore: {
    git: [
      '.venv/',
      '__pycache__/',
      '*.py[cod]',
      '*.egg-info/',
      '.pytest_cache/',
      '.ruff_cache/',
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
  // What breaks `pip install -e '.[dev]'` or the venv: a project named like one of its own
  // requirements (direct or pulled in) cannot be resolved (ResolutionImpossible), and its
  // console script `.venv/bin/<name>` overwrites an interpreter, pip, activate or a tool's.
  // The pulled-in names are what `pip install --dry-run --report` resolves for the pins.
  reservedNames: [
    ...[...Object.keys(versions.packages), ...Object.keys(versions.devPackages), 'hatchling'].map((n) => n.toLowerCase()),
    'annotated-doc', 'annotated-types', 'anyio', 'certifi', 'click', 'dnspython', 'h11', 'httpcore', 'idna',
    'iniconfig', 'packaging', 'pluggy', 'psycopg-binary', 'pydantic', 'pydantic-core', 'pygments', 'sniffio',
    'opentelemetry-api', 'starlette', 'typing-extensions', 'typing-inspection',
    'activate', 'pip', 'pip3', 'pygmentize', 'python', 'python3',
    'django', 'flask',
  ],
  defaultPort: 3000,
  layout: [
    ['app/main.py', 'the routes, JSON error responses and the app factory'],
    ['app/validation.py', 'request body and paging rules'],
    ['app/store.py', 'every database query, parameterised'],
    ['app/migrate.py', '`make migrate`: applies migrations/*.sql (SQL) or ensures indexes (MongoDB)'],
    ['app/body_limit.py', 'the 1 MiB request body limit (413)'],
    ['app/config.py', 'environment variables and `.env`'],
    ['app/__main__.py', '`python -m app`: uvicorn on $PORT, graceful shutdown on SIGTERM'],
    ['tests/unit/', 'fast tests of the HTTP layer against an in-memory store'],
    ['tests/integration/', 'every route against the real database'],
    ['pyproject.toml', 'dependencies (pinned), ruff and pytest settings'],
  ],
} satisfies LanguageSpec;
