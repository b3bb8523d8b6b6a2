import { actions, php as versions } from '../versions.js';
import type { DatabaseId } from '../databases/index.js';
import type { FileRule, PlannedFile } from '../plan/types.js';
import type { Connector, LanguageSpec, ManifestInput } from './types.js';

const t = (path: string): string => `php/${path}`;
const EXECUTABLE = 0o755;

/** What the PHP templates read from `connector.*`; every database difference lives here. */
export interface PhpConnectorData extends Record<string, unknown> {
  /** Class in `src/Storage/` implementing ItemStore. */
  storeClass: string;
  /** `ext-*` requirements in composer.json. */
  phpExtensions: string[];
  /** Shell lines of `bin/install-extensions`: builds them into an official php image. */
  extensionInstall: string[];
  /** Debian packages of the shared libraries the extension links against, for the final image. */
  runtimeLibraries: string[];
  /** Exec-form CMD of the container. */
  dockerCmd: string;
  /** Shell lines `bin/start` runs before the servers start. */
  beforeStart: string[];
  /** The item id's schema in the OpenAPI document, as a PHP array literal. */
  openApiId: string;
  /** What Schema::apply does, for the integration test's doc comment. */
  schemaWhat: string;
  /** Tests: a well-formed id nobody created, and ids that are not ids at all. */
  missingId: string;
  invalidIds: string[];
  /** A PCRE the ids the service hands out match. */
  idPattern: string;
  /** A URL where no database listens, for the health-down test. */
  unreachableUrl: string;
  /** Images the Dockerfile builds on (a language template, but versions live in versions.ts). */
  composerImage: string;
}

export interface PhpConnector extends Connector {
  data: PhpConnectorData;
}

// Migrations run before the server: it only ever starts on an up-to-date schema.
// `sh` runs the scripts whatever file modes the checkout kept.
const SQL_CMD = '["sh", "-c", "php bin/migrate.php && exec sh bin/start"]';

/** The migration runner's lock: pg_advisory_lock or GET_LOCK, one class per database. */
const migrationLockFile = (db: 'postgres' | 'mysql'): FileRule => ({
  from: t(`connectors/${db}/src/Storage/MigrationLock.php.ejs`),
  to: 'src/Storage/MigrationLock.php',
});

const pdoFiles: FileRule[] = [
  { from: t('connectors/pdo/src/Storage/Database.php.ejs'), to: 'src/Storage/Database.php' },
  { from: t('connectors/pdo/src/Storage/Migrator.php.ejs'), to: 'src/Storage/Migrator.php' },
  { from: t('connectors/pdo/src/Storage/PdoItemStore.php.ejs'), to: 'src/Storage/PdoItemStore.php' },
  { from: t('connectors/pdo/src/Storage/Schema.php.ejs'), to: 'src/Storage/Schema.php' },
  { from: t('connectors/pdo/bin/migrate.php.ejs'), to: 'bin/migrate.php' },
  { from: t('connectors/pdo/tests/Unit/DatabaseTest.php.ejs'), to: 'tests/Unit/DatabaseTest.php' },
  { from: t('connectors/pdo/tests/Unit/MigratorTest.php.ejs'), to: 'tests/Unit/MigratorTest.php' },
  { from: t('connectors/pdo/tests/Integration/MigrationRaceTest.php.ejs'), to: 'tests/Integration/MigrationRaceTest.php' },
];

const containerData = { composerImage: versions.composerImage };

const sqlData = {
  ...containerData,
  storeClass: 'PdoItemStore',
  dockerCmd: SQL_CMD,
  beforeStart: [],
  schemaWhat: 'the migrations in migrations/ applied',
  openApiId: "['type' => 'integer', 'minimum' => 1]",
  missingId: '2147483647',
  // 99999999999999999999 overflows BIGINT: refused before it reaches the database.
  invalidIds: ['abc', '0', '-1', '1.5', '01', '99999999999999999999', 'ffffffffffffffffffffffff'],
  idPattern: '/\\A[1-9][0-9]*\\z/',
};

const connectors: Record<DatabaseId, PhpConnector> = {
  postgres: {
    driver: 'pdo_pgsql',
    files: [...pdoFiles, migrationLockFile('postgres')],
    data: {
      ...sqlData,
      pdoDriver: 'pgsql',
      // libpq waits for a reply without a deadline of its own, and statement_timeout needs a
      // server that still runs: behind nginx, PHP-FPM's request_terminate_timeout ends such a request.
      frozenQuerySkip:
        'pdo_pgsql waits for a frozen server without a deadline (libpq has no client-side query timeout); behind bin/start, PHP-FPM ends such a request after its request_terminate_timeout',
      pauseStatement: 'SELECT pg_sleep(1)',
      // libpq connection keywords: pdo_pgsql hands the DSN to libpq as it is.
      dsnOptions: "client_encoding=UTF8;options='-c TimeZone=UTC -c statement_timeout=3s'",
      dsnOptionsWhy:
        'libpq settings: UTF-8, a UTC session (TIMESTAMPTZ values come back as UTC), and QUERY_TIMEOUT_SECONDS as the server-side bound on a statement. Part of the connection, so a persistent one needs no set-up per request.',
      pdoOptions: [],
      beforeConnect: [],
      afterConnect: [
        '// The bound on a statement comes with the DSN; migrations lift it.',
        'if ($queryTimeout === null) {',
        "    $pdo->exec('SET statement_timeout = 0');",
        '}',
      ],
      phpExtensions: ['pdo_pgsql'],
      extensionInstall: [
        'apt-get update',
        'apt-get install -y --no-install-recommends libpq-dev',
        'docker-php-ext-install -j"$(nproc)" pdo_pgsql',
      ],
      // libpq, which pdo_pgsql links against (its -dev package stayed in the build stage).
      runtimeLibraries: ['libpq5'],
      unreachableUrl: 'postgres://nobody:nothing@127.0.0.1:1/nothing',
    },
  },
  mysql: {
    driver: 'pdo_mysql',
    files: [...pdoFiles, migrationLockFile('mysql')],
    data: {
      ...sqlData,
      pdoDriver: 'mysql',
      frozenQuerySkip: null,
      // DO: no result set, which would hold the connection until it is read.
      pauseStatement: 'DO SLEEP(1)',
      dsnOptions: 'charset=utf8mb4',
      dsnOptionsWhy: 'Full UTF-8 (utf8mb4), emoji included.',
      pdoOptions: [
        "// DATETIME(3) has no time zone: the session's decides what CURRENT_TIMESTAMP stores.",
        "// Run once per connection, so a persistent one keeps it.",
        "\\Pdo\\Mysql::ATTR_INIT_COMMAND => \"SET time_zone = '+00:00'\",",
      ],
      beforeConnect: [
        "// mysqlnd's read timeout, which a connection takes when it opens (a persistent one keeps",
        '// it): the only bound on a wait for a server that has stopped answering, the handshake',
        "// included. 86400 s is mysqlnd's own default.",
        "ini_set('mysqlnd.net_read_timeout', (string) ($queryTimeout ?? 86400));",
      ],
      afterConnect: [],
      phpExtensions: ['pdo_mysql'],
      // pdo_mysql talks to the server through mysqlnd, built into PHP: no library needed.
      extensionInstall: ['docker-php-ext-install -j"$(nproc)" pdo_mysql'],
      runtimeLibraries: [],
      unreachableUrl: 'mysql://nobody:nothing@127.0.0.1:1/nothing',
    },
  },
  mongo: {
    driver: 'ext-mongodb',
    files: [
      { from: t('connectors/mongo/src/Storage/MongoItemStore.php.ejs'), to: 'src/Storage/MongoItemStore.php' },
      { from: t('connectors/mongo/src/Storage/Schema.php.ejs'), to: 'src/Storage/Schema.php' },
      { from: t('connectors/mongo/bin/migrate.php.ejs'), to: 'bin/migrate.php' },
      { from: t('connectors/mongo/tests/Unit/MongoItemStoreTest.php.ejs'), to: 'tests/Unit/MongoItemStoreTest.php' },
    ],
    data: {
      ...containerData,
      storeClass: 'MongoItemStore',
      frozenQuerySkip: null,
      phpExtensions: ['mongodb'],
      extensionInstall: [
        'apt-get update',
        // libssl-dev: TLS, which hosted MongoDB (Atlas) requires.
        'apt-get install -y --no-install-recommends libssl-dev',
        `pecl install mongodb-${versions.mongodbExtension}`,
        'docker-php-ext-enable mongodb',
      ],
      runtimeLibraries: [],
      // Indexes are ensured by bin/start at start-up, without blocking it on the database.
      dockerCmd: '["sh", "bin/start"]',
      beforeStart: [
        '# MongoDB needs no migrations, only its indexes. They are ensured in the background:',
        '# a database that is not reachable yet must neither delay nor stop the service',
        '# (/health answers 503 meanwhile).',
        '("$php" bin/migrate.php >&2 || echo "start: could not ensure the MongoDB indexes; serving anyway" >&2) &',
      ],
      openApiId: "['type' => 'string', 'pattern' => '^[0-9a-f]{24}$']",
      schemaWhat: 'its indexes ensured',
      missingId: 'ffffffffffffffffffffffff',
      invalidIds: ['abc', '0', '-1', '0123456789abcdef0123456', 'zzzzzzzzzzzzzzzzzzzzzzzz'],
      idPattern: '/\\A[0-9a-f]{24}\\z/',
      unreachableUrl: 'mongodb://127.0.0.1:1/nothing',
    },
  },
};

/** `php` first, then `ext-*`, then packages: the order `composer require` keeps with sort-packages. */
function sortedRequirements(entries: Record<string, string>): Record<string, string> {
  const rank = (name: string): number => (name === 'php' ? 0 : name.startsWith('ext-') ? 1 : 2);
  return Object.fromEntries(
    Object.entries(entries).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** composer.json's "php": the oldest PHP that every pinned package, dev tools included, supports. */
export function phpConstraint(): string {
  return `>=${versions.minimumPhp}`;
}

/** Extensions every project uses whatever its database: mbstring counts characters, not bytes. */
const COMMON_EXTENSIONS = ['mbstring'];

function composerJson({ names, db, connector }: ManifestInput): PlannedFile {
  const phpExtensions = [...COMMON_EXTENSIONS, ...(connector as PhpConnector).data.phpExtensions];
  const namespace = `${names.pascal}\\`;
  const model = {
    name: `app/${names.name}`,
    description: `${names.title}: an HTTP API on Symfony HttpFoundation and Routing, with ${db.label}`,
    type: 'project',
    license: 'proprietary',
    require: sortedRequirements({
      php: phpConstraint(),
      ...Object.fromEntries(phpExtensions.map((ext) => [`ext-${ext}`, '*'])),
      ...versions.packages,
    }),
    'require-dev': sortedRequirements({ ...versions.devPackages }),
    autoload: { 'psr-4': { [namespace]: 'src/' } },
    'autoload-dev': { 'psr-4': { [`${namespace}Tests\\`]: 'tests/' } },
    scripts: {
      // Composer stops scripts after 300 s; a server must run until it is stopped.
      dev: ['Composer\\Config::disableProcessTimeout', 'bin/start --dev'],
      fix: 'php-cs-fixer fix',
      lint: 'php-cs-fixer fix --dry-run --diff',
      migrate: '@php bin/migrate.php',
      start: ['Composer\\Config::disableProcessTimeout', 'bin/start'],
      test: ['@test:unit', '@test:integration', '@test:functional'],
      'test:unit': 'phpunit --testsuite Unit',
      'test:integration': 'phpunit --testsuite Integration',
      // Composer's 300 s limit would stop a slow deployment's run half-way.
      'test:functional': ['Composer\\Config::disableProcessTimeout', 'phpunit --testsuite Functional'],
    },
    config: { 'sort-packages': true },
  };
  return { path: 'composer.json', source: 'content', content: JSON.stringify(model, null, 4) + '\n' };
}

export const php = {
  id: 'php',
  label: 'PHP',
  image: versions.image,
  frameworks: {
    symfony: {
      name: 'Symfony HttpFoundation + Routing',
      why:
        'HttpFoundation and Routing are two of the most used PHP components (Symfony is built ' +
        'on them, Laravel too): requests and responses as objects, and path and method matching ' +
        'with 404 and 405 included. No full framework, container or config files: the app is ' +
        'one `Request → Response` class, `src/App.php`, which the tests call directly. Slim 4 ' +
        'would be the other natural choice; it is left out because this template is verified ' +
        'against distribution packages, where Slim 4 is not packaged. Logging is Monolog (PSR-3, ' +
        'JSON lines on stderr), `.env` is read by symfony/dotenv. Storage is PDO with real ' +
        'prepared statements and persistent connections for PostgreSQL and MySQL, and the ' +
        '`mongodb` extension’s driver API for MongoDB (the official `mongodb/mongodb` library ' +
        'would add a friendlier layer; it is left out because it is not packaged where this ' +
        'template is verified), behind the small `ItemStore` interface. ' +
        'SQL schema changes are plain versioned `.sql` files in `migrations/`, applied by a short ' +
        'runner (`src/Storage/Migrator.php`) that records each version in `schema_migrations`: ' +
        'readable by any tool, no ORM needed for a few statements. In production (`make start`, ' +
        'the container) nginx serves on $PORT in front of PHP-FPM, both configured in `config/`; ' +
        'nginx refuses bodies over 1 MiB from their headers and buffers the rest before a PHP ' +
        'worker is taken, and `bin/start` stops both gracefully on SIGTERM (every accepted ' +
        'request is answered). So `make start` needs nginx and PHP-FPM installed (Debian/Ubuntu: ' +
        '`apt-get install nginx php8.4-fpm`, then `make start PHP_FPM=php-fpm8.4`; macOS: ' +
        '`brew install nginx php`); `make dev` uses PHP’s built-in server, which needs neither.',
    },
  },
  files: [
    { from: t('public/index.php.ejs'), to: 'public/index.php' },
    { from: t('src/App.php.ejs'), to: 'src/App.php' },
    { from: t('src/Config.php.ejs'), to: 'src/Config.php' },
    { from: t('src/HttpError.php.ejs'), to: 'src/HttpError.php' },
    { from: t('src/OpenApi.php.ejs'), to: 'src/OpenApi.php' },
    { from: t('src/Items/ItemInput.php.ejs'), to: 'src/Items/ItemInput.php' },
    { from: t('src/Items/ItemStore.php.ejs'), to: 'src/Items/ItemStore.php' },
    { from: t('src/Items/Paging.php.ejs'), to: 'src/Items/Paging.php' },
    { from: t('bin/start.ejs'), to: 'bin/start', mode: EXECUTABLE },
    { from: t('config/nginx.conf'), to: 'config/nginx.conf' },
    { from: t('config/php-fpm.conf'), to: 'config/php-fpm.conf' },
    { from: t('bin/install-extensions.ejs'), to: 'bin/install-extensions', mode: EXECUTABLE },
    { from: t('tests/bootstrap.php'), to: 'tests/bootstrap.php' },
    { from: t('tests/Unit/AppTest.php.ejs'), to: 'tests/Unit/AppTest.php' },
    { from: t('tests/Unit/ConfigTest.php.ejs'), to: 'tests/Unit/ConfigTest.php' },
    { from: t('tests/Unit/ItemInputTest.php.ejs'), to: 'tests/Unit/ItemInputTest.php' },
    { from: t('tests/Unit/PagingTest.php.ejs'), to: 'tests/Unit/PagingTest.php' },
    { from: t('tests/Unit/StubItemStore.php.ejs'), to: 'tests/Unit/StubItemStore.php' },
    { from: t('tests/Integration/ItemsApiTest.php.ejs'), to: 'tests/Integration/ItemsApiTest.php' },
    { from: t('tests/Integration/FreezableProxy.php.ejs'), to: 'tests/Integration/FreezableProxy.php' },
    { from: t('tests/Integration/FrozenDatabaseTest.php.ejs'), to: 'tests/Integration/FrozenDatabaseTest.php' },
    ...['FunctionalTestCase', 'HttpClient', 'ItemsTest', 'LocalService', 'LocalServiceExtension', 'Reply', 'ServiceTest'].map(
      (name) => ({ from: t(`tests/Functional/${name}.php.ejs`), to: `tests/Functional/${name}.php` }),
    ),
    { from: t('phpunit.xml.dist.ejs'), to: 'phpunit.xml.dist' },
    { from: t('php-cs-fixer.dist.php'), to: '.php-cs-fixer.dist.php' },
  ],
  dockerFiles: [
    { from: t('Dockerfile.ejs'), to: 'Dockerfile' },
    { from: t('bin/healthcheck.php'), to: 'bin/healthcheck.php' },
  ],
  connectors,
  sqlMigrationsDir: 'migrations',
  manifests: (input) => [composerJson(input)],
  make: {
    // Tools run through $(PHP), so `make test PHP=php8.5` uses that interpreter throughout;
    // `PHPUNIT=/usr/bin/phpunit` runs a system-wide PHPUnit instead of the project's.
    // PHP_FPM and NGINX: the production server (Debian names it php-fpm8.4, say).
    variables: {
      PHP: 'php',
      PHP_FPM: 'php-fpm',
      NGINX: 'nginx',
      COMPOSER: 'composer',
      PHPUNIT: 'vendor/bin/phpunit',
      PHP_CS_FIXER: 'vendor/bin/php-cs-fixer',
    },
    targets: {
      install: ['$(COMPOSER) install --no-interaction --no-progress'],
      // PHP's built-in server reads changed files on the next request: no reloader needed.
      dev: ['bin/start --dev --php=$(PHP)'],
      // Nothing to build: PHP runs the sources.
      start: ['bin/start --php=$(PHP) --php-fpm=$(PHP_FPM) --nginx=$(NGINX)'],
      // The layers below are its prerequisites; nothing runs after them.
      test: [],
      lint: ['$(PHP) $(PHP_CS_FIXER) fix --dry-run --diff'],
      migrate: ['$(PHP) bin/migrate.php'],
    },
    // One PHPUnit run per suite of phpunit.xml.dist: a failing layer stops `make test` before
    // the slower ones. The functional suite starts bin/start itself unless BASE_URL is set,
    // with the PHP-FPM and nginx named here.
    testLayers: {
      unit: ['$(PHP) $(PHPUNIT) --testsuite Unit'],
      integration: ['$(PHP) $(PHPUNIT) --testsuite Integration'],
      functional: ["PHP_FPM='$(PHP_FPM)' NGINX='$(NGINX)' $(PHP) $(PHPUNIT) --testsuite Functional"],
    },
  },
  ci: {
    githubSetup: [
      {
        uses: versions.setupPhpAction,
        with: {
          'php-version': versions.runtime,
          // The step is the same for every database; setup-php ships these prebuilt, so
          // the two a project does not use cost seconds.
          extensions: 'mongodb, pdo_mysql, pdo_pgsql',
          tools: `composer:${versions.composer}`,
          coverage: 'none',
        },
      },
      // setup-php keeps no cache of its own: Composer's download cache, keyed on the manifest and lock.
      {
        name: 'Locate the Composer cache',
        id: 'composer-cache',
        run: 'echo "dir=$(composer config cache-files-dir)" >> "$GITHUB_OUTPUT"',
      },
      {
        uses: actions.cache,
        with: {
          path: '${{ steps.composer-cache.outputs.dir }}',
          key: "composer-${{ runner.os }}-${{ hashFiles('composer.json', 'composer.lock') }}",
          'restore-keys': 'composer-${{ runner.os }}-',
        },
      },
    ],
    gitlabImage: versions.image,
    gitlabBeforeScript: [
      // git and unzip let Composer fetch packages.
      'apt-get update && apt-get install -y --no-install-recommends git make unzip',
      'sh bin/install-extensions',
      `curl -fsSLo /usr/local/bin/composer https://getcomposer.org/download/${versions.composer}/composer.phar && chmod +x /usr/local/bin/composer`,
    ],
    gitlabCache: {
      keyFiles: ['composer.json', 'composer.lock'],
      paths: ['.cache/composer/'],
      variables: { COMPOSER_CACHE_DIR: '$CI_PROJECT_DIR/.cache/composer' },
    },
    // Composer's own check of composer.lock against the PHP security advisories.
    audit: ['composer audit'],
    dependabotEcosystem: 'composer',
    lockfile: { path: 'composer.lock', writtenBy: 'first-install' },
  },
  ignore: {
    git: ['/vendor/', '.phpunit.cache/', '.phpunit.result.cache', '.php-cs-fixer.cache'],
    docker: [
      'vendor',
      'tests',
      '.phpunit.cache',
      '.phpunit.result.cache',
      '.php-cs-fixer.cache',
      '.php-cs-fixer.dist.php',
      'phpunit.xml.dist',
      '.github',
      '.gitlab-ci.yml',
      'docker-compose.yml',
    ],
  },
  container: {
    // The official image's `www-data` user.
    uid: 33,
    gid: 33,
    // bin/start keeps nginx's and PHP-FPM's pid files, socket and temporary files in a
    // directory below $TMPDIR.
    writablePaths: ['/tmp'],
    serve: ['sh', 'bin/start'],
    migrate: ['php', 'bin/migrate.php'],
    // src/Storage/MigrationLock.php: pg_advisory_lock / GET_LOCK around every run.
    migrationLock: true,
    // bin/start's DRAIN_TIMEOUT default.
    shutdownSeconds: 25,
  },
  defaultPort: 3000,
  // The name becomes the namespace (`my-api` → `MyApi`); a one-word name must not be a
  // keyword or a reserved type name, which PHP refuses as a namespace.
  reservedNames: [
    'abstract', 'and', 'array', 'as', 'bool', 'break', 'callable', 'case', 'catch', 'class', 'clone',
    'const', 'continue', 'declare', 'default', 'do', 'echo', 'else', 'elseif', 'empty', 'enddeclare',
    'endfor', 'endforeach', 'endif', 'endswitch', 'endwhile', 'enum', 'eval', 'exit', 'extends', 'false',
    'final', 'finally', 'float', 'fn', 'for', 'foreach', 'function', 'global', 'goto', 'if', 'implements',
    'include', 'instanceof', 'insteadof', 'int', 'interface', 'isset', 'iterable', 'list', 'match',
    'mixed', 'namespace', 'never', 'new', 'null', 'object', 'or', 'parent', 'print', 'private',
    'protected', 'public', 'readonly', 'require', 'return', 'self', 'static', 'string', 'switch',
    'throw', 'trait', 'true', 'try', 'unset', 'use', 'var', 'void', 'while', 'xor', 'yield',
  ],
  layout: [
    ['src/App.php', 'the routes, their handlers and the JSON error responses'],
    ['src/Items/', 'request body and paging rules, and the `ItemStore` interface'],
    ['src/Storage/', 'the database: every query, parameterised, and the connection'],
    ['src/Config.php', 'environment variables and `.env`'],
    ['src/OpenApi.php', 'the OpenAPI document served at `/openapi.json`'],
    ['public/index.php', 'the front controller: reads the request (1 MiB at most), sends the response'],
    ['bin/start', '`make start` and the container: nginx + PHP-FPM on $PORT (`PHP_FPM_WORKERS` workers, default 4), draining on SIGTERM for up to `DRAIN_TIMEOUT` seconds (default 25); `--dev`: PHP’s built-in server; `--host=127.0.0.1`: that address only'],
    ['config/', 'nginx and PHP-FPM configuration for bin/start: `/health` answers 503 when the app has not answered within 2 s, and a request stuck longer than 8 s (on a database that stopped answering) is ended'],
    ['bin/migrate.php', '`make migrate`: applies migrations/*.sql (SQL; concurrent runs take turns on a database lock) or ensures indexes (MongoDB)'],
    ['bin/install-extensions', 'adds the database extension to an official php image (Docker, GitLab CI)'],
    ['tests/Unit/', 'fast tests of the HTTP layer, validation and configuration'],
    ['tests/Integration/', 'every route against the real database; the database frozen behind a proxy (requests fail within the timeouts and recover); for SQL, two migration runs at once'],
    ['tests/Functional/', 'black-box HTTP tests of every route, against `BASE_URL` or a `bin/start` they run on a free port (log: `.phpunit.cache/functional-service.log`)'],
    ['composer.json', 'dependencies, PSR-4 autoloading and composer scripts'],
    ['.php-cs-fixer.dist.php', 'coding style (PSR-12), checked by `make lint`'],
  ],
} satisfies LanguageSpec;
