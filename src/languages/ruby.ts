import type { DatabaseId } from '../databases/index.js';
import type { FileRule, PlannedFile } from '../plan/types.js';
import { auditTools, ruby as versions } from '../versions.js';
import type { Connector, LanguageSpec, ManifestInput } from './types.js';

type GemName = keyof typeof versions.gems;

/** One `gem` line of the Gemfile; `require: false` for tools that are run, never required. */
interface GemLine {
  name: GemName;
  group?: 'development' | 'test';
  tool?: boolean;
}

/** What every project needs, whatever the database (the connector adds its driver gems). */
const commonGems: GemLine[] = [
  { name: 'sinatra' },
  { name: 'rack' },
  { name: 'puma' },
  // Default group: the container runs `rake db:migrate` before the server starts.
  { name: 'rake' },
  { name: 'logger' },
  { name: 'rerun', group: 'development', tool: true },
  { name: 'rubocop', group: 'development', tool: true },
  { name: 'rack-test', group: 'test' },
  { name: 'rspec', group: 'test' },
];

/** A file of the service itself, under `lib/<snake>/` (the templates name the project's module). */
const lib = (file: string): FileRule => ({ from: `ruby/lib/project/${file}.ejs`, to: `lib/{snake}/${file}` });

/** Sequel talks to both SQL databases; only the adapter and the session set-up differ. */
function sequelConnector(
  db: Exclude<DatabaseId, 'mongo'>,
  driver: 'pg' | 'mysql2',
  data: { sequelAdapter: string; encoding: string; sessionSql: string; buildPackages: string[]; runtimePackages: string[] },
): Connector {
  return {
    driver,
    files: [
      { from: 'ruby/connectors/sequel/item_store.rb.ejs', to: 'lib/{snake}/item_store.rb' },
      { from: 'ruby/connectors/sequel/migrator.rb.ejs', to: 'lib/{snake}/migrator.rb' },
      { from: `ruby/connectors/${db}/001_create_items.rb`, to: 'db/migrate/001_create_items.rb' },
      { from: 'ruby/spec/integration/migrate_spec.rb.ejs', to: 'spec/integration/migrate_spec.rb' },
    ],
    data: {
      ...data,
      gems: ['sequel', driver] satisfies GemName[],
      openapiId: '{ type: integer, format: int64, minimum: 1 }',
      migrateDescription: 'Apply pending Sequel migrations from db/migrate',
      // Migrations run before the server, in the same container start.
      dockerCmd: ['sh', '-c', 'bundle exec rake db:migrate && exec bundle exec puma -C config/puma.rb'],
    },
  };
}

export const ruby = {
  id: 'ruby',
  label: 'Ruby',
  image: versions.image,
  frameworks: {
    sinatra: {
      name: 'Sinatra',
      why:
        'Sinatra is the smallest idiomatic way to write a JSON API in Ruby: each route is a plain block, ' +
        'there are no generators or hidden conventions, and the app is an ordinary Rack application. ' +
        'Puma serves it with threads and, on SIGTERM, stops accepting and drains in-flight requests. ' +
        'SQL databases go through Sequel datasets (values are never spliced into SQL by hand) and versioned ' +
        'migrations without the weight of an ORM; MongoDB uses the official `mongo` driver. ' +
        'Tests are RSpec with rack-test, lint is RuboCop.',
    },
  },
  files: [
    { from: 'ruby/config.ru.ejs', to: 'config.ru' },
    { from: 'ruby/Rakefile.ejs', to: 'Rakefile' },
    { from: 'ruby/config/puma.rb.ejs', to: 'config/puma.rb' },
    { from: 'ruby/rspec', to: '.rspec' },
    { from: 'ruby/openapi.yaml.ejs', to: 'openapi.yaml' },
    { from: 'ruby/lib/project.rb.ejs', to: 'lib/{snake}.rb' },
    lib('app.rb'),
    lib('body_limit.rb'),
    lib('config.rb'),
    lib('env_file.rb'),
    lib('puma_errors.rb'),
    lib('validation.rb'),
    { from: 'ruby/spec/spec_helper.rb', to: 'spec/spec_helper.rb' },
    { from: 'ruby/spec/app_helper.rb.ejs', to: 'spec/app_helper.rb' },
    { from: 'ruby/spec/functional_helper.rb', to: 'spec/functional_helper.rb' },
    { from: 'ruby/spec/support/api_helpers.rb.ejs', to: 'spec/support/api_helpers.rb' },
    { from: 'ruby/spec/support/http_helpers.rb', to: 'spec/support/http_helpers.rb' },
    { from: 'ruby/spec/support/local_service.rb', to: 'spec/support/local_service.rb' },
    { from: 'ruby/spec/unit/app_spec.rb.ejs', to: 'spec/unit/app_spec.rb' },
    { from: 'ruby/spec/unit/body_limit_spec.rb.ejs', to: 'spec/unit/body_limit_spec.rb' },
    { from: 'ruby/spec/unit/env_file_spec.rb.ejs', to: 'spec/unit/env_file_spec.rb' },
    { from: 'ruby/spec/unit/openapi_spec.rb.ejs', to: 'spec/unit/openapi_spec.rb' },
    { from: 'ruby/spec/unit/validation_spec.rb.ejs', to: 'spec/unit/validation_spec.rb' },
    { from: 'ruby/spec/integration/health_spec.rb.ejs', to: 'spec/integration/health_spec.rb' },
    { from: 'ruby/spec/integration/items_spec.rb.ejs', to: 'spec/integration/items_spec.rb' },
    { from: 'ruby/spec/integration/unresponsive_database_spec.rb.ejs', to: 'spec/integration/unresponsive_database_spec.rb' },
    { from: 'ruby/spec/support/freezable_proxy.rb', to: 'spec/support/freezable_proxy.rb' },
    { from: 'ruby/spec/functional/health_spec.rb', to: 'spec/functional/health_spec.rb' },
    { from: 'ruby/spec/functional/items_spec.rb', to: 'spec/functional/items_spec.rb' },
  ],
  dockerFiles: [{ from: 'ruby/Dockerfile.ejs', to: 'Dockerfile' }],
  connectors: {
    postgres: sequelConnector('postgres', 'pg', {
      sequelAdapter: 'postgres',
      encoding: 'UTF8',
      // TIMESTAMPTZ does not depend on it, but server-side time formatting then matches the app's.
      sessionSql: "SET TIME ZONE 'UTC'",
      // pg ships precompiled gems with libpq; the headers are for platforms it has none for.
      buildPackages: ['libpq-dev'],
      runtimePackages: ['libpq5'],
    }),
    mysql: sequelConnector('mysql', 'mysql2', {
      sequelAdapter: 'mysql2',
      // utf8 in MySQL is 3-byte UTF-8; utf8mb4 stores every character.
      encoding: 'utf8mb4',
      // DATETIME(3) has no time zone: the session's decides what CURRENT_TIMESTAMP(3) writes.
      sessionSql: "SET time_zone = '+00:00'",
      buildPackages: ['default-libmysqlclient-dev'],
      runtimePackages: ['libmariadb3'],
    }),
    mongo: {
      driver: 'mongo',
      files: [{ from: 'ruby/connectors/mongo/item_store.rb.ejs', to: 'lib/{snake}/item_store.rb' }],
      data: {
        gems: ['mongo'] satisfies GemName[],
        openapiId: "{ type: string, pattern: '^[0-9a-f]{24}$' }",
        migrateDescription: 'Ensure the MongoDB indexes (the service also does it at start-up)',
        buildPackages: [],
        runtimePackages: [],
        // Indexes are ensured by the service itself, in the background, at start-up.
        dockerCmd: ['bundle', 'exec', 'puma', '-C', 'config/puma.rb'],
      },
    },
  },
  // Sequel keeps its own versioned migrations (db/migrate/NNN_*.rb, recorded in schema_info):
  // Ruby files run by `rake db:migrate`, so no SQL runner is needed besides the app's own gems.
  sqlMigrationsDir: null,
  schemaChange:
    'To change the schema, add a Sequel migration to `db/migrate/` with the next number (`002_add_tags.rb`); ' +
    'never edit one that has been applied.',
  manifests: (input) => [
    gemfile(input),
    { path: '.ruby-version', source: 'content', content: `${versions.version}\n` },
    { path: '.rubocop.yml', source: 'content', content: rubocopConfig() },
  ],
  make: {
    // BUNDLE_EXEC= runs the tools from the system gems instead of the bundle (e.g. Debian's packages).
    variables: { RUBY: 'ruby', BUNDLE: 'bundle', BUNDLE_EXEC: '$(BUNDLE) exec' },
    targets: {
      install: ['$(BUNDLE) install'],
      dev: ['$(BUNDLE_EXEC) $(RUBY) -S rerun -- $(RUBY) -S puma -C config/puma.rb'],
      // Nothing to build: Puma loads config.ru directly.
      start: ['$(BUNDLE_EXEC) $(RUBY) -S puma -C config/puma.rb'],
      // The layers below are its prerequisites; nothing runs after them.
      test: [],
      lint: ['$(BUNDLE_EXEC) $(RUBY) -S rubocop'],
      migrate: ['$(BUNDLE_EXEC) $(RUBY) -S rake db:migrate'],
    },
    // One RSpec run per layer: a failing layer stops `make test` before the slower ones.
    testLayers: {
      unit: ['$(BUNDLE_EXEC) $(RUBY) -S rspec spec/unit'],
      integration: ['$(BUNDLE_EXEC) $(RUBY) -S rspec spec/integration'],
      functional: ['$(BUNDLE_EXEC) $(RUBY) -S rspec spec/functional'],
    },
  },
  ci: {
    githubSetup: [
      // bundler-cache runs `bundle install` (frozen to Gemfile.lock once committed) and caches the gems.
      {
        name: 'Set up Ruby',
        uses: versions.actions.setupRuby,
        with: { 'ruby-version': versions.version, 'bundler-cache': true },
      },
    ],
    gitlabImage: versions.image,
    // Slim images have neither make nor a compiler; the headers cover every database's driver
    // because one image serves them all (a few seconds of apt). bundler-audit fetches its
    // advisory database with git.
    gitlabBeforeScript: [
      'apt-get update',
      'apt-get install -y --no-install-recommends make build-essential git libpq-dev default-libmysqlclient-dev',
    ],
    gitlabCache: {
      keyFiles: ['Gemfile', 'Gemfile.lock'],
      paths: ['vendor/bundle/'],
      variables: { BUNDLE_PATH: 'vendor/bundle' },
    },
    // Checks Gemfile.lock against the Ruby Advisory Database, fetched fresh each run.
    audit: [
      `gem install --no-document bundler-audit -v ${auditTools.bundlerAudit}`,
      'bundle-audit check --update',
    ],
    dependabotEcosystem: 'bundler',
    lockfile: { path: 'Gemfile.lock', writtenBy: 'first-install' },
  },
  ignore: {
    git: ['.bundle/', 'vendor/bundle/', 'coverage/', 'tmp/'],
    docker: [
      '.bundle/',
      'vendor/bundle/',
      'coverage/',
      'tmp/',
      'spec/',
      '.github/',
      '.gitlab-ci.yml',
      '.rspec',
      '.rubocop.yml',
      'docker-compose.yml',
      'Makefile',
      'README.md',
    ],
  },
  container: {
    // `useradd --uid 10001 --gid app` in the Dockerfile.
    uid: 10001,
    gid: 10001,
    // Rack's multipart bodies, and Bundler's fallback home when $HOME is read-only.
    writablePaths: ['/tmp'],
    serve: ['bundle', 'exec', 'puma', '-C', 'config/puma.rb'],
    migrate: ['bundle', 'exec', 'rake', 'db:migrate'],
    // `rake db:migrate` holds pg_advisory_lock / GET_LOCK while it runs (migrator.rb).
    migrationLock: true,
    shutdownSeconds: 15,
  },
  defaultPort: 3000,
  // The name becomes the top-level module (`my-api` → `MyApi`); these would reopen or
  // clash with a core or dependency constant (`kernel` → Kernel, `object-space` → ObjectSpace)
  // or with the project's own classes inside it (`app` → App::App).
  reservedNames: [
    'access-log', 'app', 'body-limit', 'config', 'env-file', 'item-store', 'validation',
    'array', 'basic-object', 'binding', 'bson', 'class', 'comparable', 'complex', 'data', 'date',
    'dir', 'encoding', 'enumerable', 'enumerator', 'errno', 'exception', 'fiber', 'file', 'float',
    'gc', 'hash', 'integer', 'io', 'json', 'kernel', 'logger', 'marshal', 'math', 'method', 'module',
    'mongo', 'numeric', 'object', 'object-space', 'proc', 'process', 'puma', 'rack', 'ractor', 'rake',
    'random', 'range', 'rational', 'regexp', 'sequel', 'set', 'signal', 'sinatra', 'string', 'struct',
    'symbol', 'thread', 'time', 'uri', 'warning',
    // Classes defined once the app and its specs have loaded (Ruby 3.3, Object.constants): a
    // module of that name fails with "TypeError: Queue is not a module".
    'addrinfo', 'argument-error', 'basic-socket', 'big-decimal', 'closed-queue-error', 'condition-variable',
    'date-time', 'delegator', 'encoding-error', 'false-class', 'fiber-error', 'float-domain-error',
    'frozen-error', 'index-error', 'interrupt', 'key-error', 'load-error', 'local-jump-error', 'match-data',
    'monitor', 'mutex', 'name-error', 'nil-class', 'no-matching-pattern-error', 'no-matching-pattern-key-error',
    'no-memory-error', 'no-method-error', 'not-implemented-error', 'opt-parse', 'option-parser', 'queue',
    'range-error', 'refinement', 'regexp-error', 'resolv', 'runtime-error', 'scan-error', 'script-error',
    'security-error', 'signal-exception', 'simple-delegator', 'sized-queue', 'socket', 'socket-error',
    'standard-error', 'stop-iteration', 'string-scanner', 'syntax-error', 'system-call-error', 'system-exit',
    'system-stack-error', 'tempfile', 'thread-error', 'thread-group', 'trace-point', 'true-class', 'type-error',
    'unbound-method', 'uncaught-throw-error', 'zero-division-error', 'gem', 'bundler', 'rb-config',
    // `lib/<snake>.rb` comes first on the load path: it would shadow `require '<snake>'` for the
    // gems (`pg` → Sequel::AdapterNotFound) and every top-level library the app loads
    // ($LOADED_FEATURES after loading it), plus the gems the project pins.
    ...Object.keys(versions.gems),
    'base64', 'bigdecimal', 'bson-native', 'bundled-gems', 'date-core', 'delegate', 'did-you-mean', 'digest',
    'erb', 'error-highlight', 'etc', 'fileutils', 'forwardable', 'ipaddr', 'mustermann', 'open3', 'openssl',
    'optparse', 'pg-ext', 'psych', 'rbconfig', 'rubygems', 'securerandom', 'shellwords', 'stringio', 'strscan',
    'tilt', 'timeout', 'tmpdir', 'yaml', 'zlib',
  ],
  layout: [
    ['config.ru', 'Rack entry point: builds the item store and hands the Sinatra app to Puma'],
    ['config/puma.rb', 'Puma: port, threads, SIGTERM drain (exit 0), the body-size ceiling, JSON for what Puma answers itself'],
    ['lib/', 'the service: `app.rb` (routes, JSON errors), `validation.rb`, `item_store.rb` (database access), `migrator.rb` (SQL: migrations under a database lock), `body_limit.rb` (413), `config.rb` and `env_file.rb` (environment, `.env`)'],
    ['db/migrate/', 'Sequel migrations (SQL databases), applied in order by `make migrate`'],
    ['spec/unit/', 'RSpec tests that need no database'],
    ['spec/integration/', 'RSpec tests of every route against the database in TEST_DATABASE_URL or DATABASE_URL'],
    ['spec/functional/', 'RSpec tests that speak only HTTP, to the service at BASE_URL or one they start (`spec/support/local_service.rb`)'],
    ['Rakefile', '`rake db:migrate`, and `rake spec` with a task per layer (`rake spec:unit` …)'],
    ['Gemfile', 'dependencies (`~>` requirements); commit the Gemfile.lock that `bundle install` writes'],
    ['.ruby-version', 'the Ruby release: Bundler and version managers read it; the Docker image and CI use the same one'],
    ['openapi.yaml', 'the OpenAPI 3.1 description of the API, served as JSON at `/openapi.json`'],
    ['.rubocop.yml', 'RuboCop settings'],
  ],
} satisfies LanguageSpec;

/**
 * `~>` keeps `bundle update` within releases that promise compatibility: the minor series
 * from 1.0 on (`~> 4.2` allows 4.2.2 … 4.x), the patch series below it, where a minor
 * release may break (`~> 0.5.7` allows 0.5.x). Gemfile.lock records the exact releases.
 */
export function gemRequirement(version: string): string {
  const [major = '0', minor = '0', patch = '0'] = version.split('.');
  return major === '0' ? `~> 0.${minor}.${patch}` : `~> ${major}.${minor}`;
}

/** `major.minor` of the pinned Ruby: what RuboCop's TargetRubyVersion names. */
export const rubyTarget = versions.version.split('.').slice(0, 2).join('.');

/**
 * The Gemfile is built from data rather than templated: sorted within each group, so the
 * same answers always give the same bytes. There is no Gemfile.lock to generate offline;
 * `bundle install` writes it and the project commits it.
 */
function gemfile({ connector, generatorVersion }: ManifestInput): PlannedFile {
  const driverGems = ((connector.data?.gems ?? []) as GemName[]).map((name): GemLine => ({ name }));
  const all = [...commonGems, ...driverGems];
  const line = (g: GemLine, indent = '') =>
    `${indent}gem '${g.name}', '${gemRequirement(versions.gems[g.name])}'${g.tool ? ', require: false' : ''}`;
  const sorted = (gems: GemLine[]) => [...gems].sort((a, b) => (a.name < b.name ? -1 : 1));
  const group = (name: 'development' | 'test') => [
    '',
    `group :${name} do`,
    ...sorted(all.filter((g) => g.group === name)).map((g) => line(g, '  ')),
    'end',
  ];
  const text = [
    '# frozen_string_literal: true',
    '',
    "source 'https://rubygems.org'",
    '',
    '# The interpreter the Dockerfile and CI use; rbenv, asdf and chruby read the same file.',
    "ruby file: '.ruby-version'",
    '',
    `# Requirements as create-backend-starter ${generatorVersion} wrote them: \`bundle update\` takes`,
    '# compatible releases within them, and Gemfile.lock (commit it) records the exact ones.',
    ...sorted(all.filter((g) => !g.group)).map((g) => line(g)),
    ...group('development'),
    ...group('test'),
    '',
  ].join('\n');
  return { path: 'Gemfile', source: 'content', content: text };
}

/**
 * RuboCop's configuration, for the RuboCop the Gemfile pins. New cops are on, so an
 * upgrade may bring new offenses: fix them in the commit that upgrades.
 */
export function rubocopConfig(): string {
  return [
    '# RuboCop\'s defaults, with the few changes below, for the RuboCop release in Gemfile.lock.',
    '# New cops are enabled as they arrive: a RuboCop upgrade may report new offenses, which',
    '# belong in the same commit as the upgrade.',
    'AllCops:',
    `  TargetRubyVersion: ${rubyTarget}`,
    '  NewCops: enable',
    '  SuggestExtensions: false',
    '  Exclude:',
    "    - 'vendor/**/*'",
    "    - 'tmp/**/*'",
    '',
    '# Specs are long `describe` blocks by nature.',
    'Metrics/BlockLength:',
    '  Exclude:',
    "    - 'spec/**/*'",
    "    - 'Rakefile'",
    '',
    'Metrics/MethodLength:',
    '  Max: 20',
    '',
  ].join('\n');
}
