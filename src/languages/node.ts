import { node as versions } from '../versions.js';
import type { PlannedFile } from '../plan/types.js';
import type { Connector, FrameworkSpec, LanguageSpec, ManifestInput } from './types.js';

/**
 * Node.js: TypeScript on Fastify 5 or Express 5, run as compiled JavaScript (`make start`) and as
 * TypeScript directly through Node's built-in type stripping (`make dev`, `make migrate`),
 * so no tsx/ts-node is needed. Relative imports are written with `.ts` extensions, which
 * both Node and vitest load as they are and `tsc` rewrites to `.js` when it builds.
 * Configuration, the repository interface, the database connectors and migrations are the
 * language's, shared by both frameworks; each framework brings its app, server and tests.
 */

const T = 'node';

/** Node's arguments for the compiled server; source maps make logged stack traces point at the TypeScript. */
const SERVER_ARGS = '--enable-source-maps dist/server.js';

/** The container runs migrations first for SQL databases; `exec` leaves Node as PID 1 to get SIGTERM. */
const sqlStart = {
  dockerCmd: ['sh', '-c', `node dist/migrate.js && exec node ${SERVER_ARGS}`],
  startNote: 'Pending migrations are applied before the server starts.',
  runtimeDirs: ['migrations'],
};

/** What the integration tests assert about ids, per database. */
const integerIds = {
  idType: 'number',
  idDescription: 'a positive integer id',
  idPattern: String(/^[1-9]\d*$/),
  missingId: '999999999',
  invalidIds: ['abc', '0', '-1', '1.5', '99999999999999999999'],
};

const dbFile = (db: string, name: string) => ({ from: `${T}/db/${db}/${name}`, to: `src/db/${name}` });

/**
 * What a request does while the pool is busy, through whichever framework's app (test/serve.ts);
 * only how a row is held locked differs per SQL database.
 */
const poolTests = (db: string) => [
  { from: `${T}/test/pool.integration.test.ts`, to: 'test/pool.integration.test.ts' },
  { from: `${T}/db/${db}/row-lock.ts`, to: 'test/row-lock.ts' },
];


const connectors = {
  postgres: {
    driver: 'pg',
    files: [
      dbFile('postgres', 'repository.ts'),
      dbFile('postgres', 'migrate.ts'),
      { from: `${T}/db/sql/migration-files.ts`, to: 'src/db/migration-files.ts' },
      ...poolTests('postgres'),
    ],
    // pg ships no types of its own.
    data: { ...sqlStart, ...integerIds, devDependencies: ['@types/pg'] },
  },
  mysql: {
    driver: 'mysql2',
    files: [
      dbFile('mysql', 'repository.ts'),
      dbFile('mysql', 'migrate.ts'),
      { from: `${T}/db/sql/migration-files.ts`, to: 'src/db/migration-files.ts' },
      // mysql2 would let a query wait for a pooled connection forever: its tests hold the pool busy.
      ...poolTests('mysql'),
    ],
    data: { ...sqlStart, ...integerIds },
  },
  mongo: {
    driver: 'mongodb',
    files: [dbFile('mongo', 'repository.ts'), dbFile('mongo', 'migrate.ts')],
    data: {
      // No migrations: the server ensures its indexes at start-up.
      dockerCmd: ['node', ...SERVER_ARGS.split(' ')],
      startNote: 'MongoDB needs no migrations: the service ensures its indexes at start-up.',
      runtimeDirs: [],
      idType: 'string',
      idDescription: 'an ObjectId hex id',
      idPattern: String(/^[0-9a-f]{24}$/),
      missingId: 'ffffffffffffffffffffffff',
      invalidIds: ['abc', '0', '-1', 'zzzzzzzzzzzzzzzzzzzzzzzz', 'ffffffffffffffffffffffff0'],
    },
  },
} satisfies Record<string, Connector>;

function json(path: string, value: unknown): PlannedFile {
  return { path, source: 'content', content: `${JSON.stringify(value, null, 2)}\n` };
}

/** Dev dependencies every project gets; connectors add theirs in `data.devDependencies`. */
const DEV_TOOLS = ['@biomejs/biome', '@types/node', 'typescript', 'vitest'];
/** Biome advises an exact pin: formatting may change between patch releases. */
const EXACT = new Set(['@biomejs/biome']);

/** Sorted like npm writes them, caret ranges except where an exact pin is needed. */
function dependencies(pinned: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(
    [...new Set(names)].sort().map((n) => {
      const version = pinned[n];
      if (!version) throw new Error(`no pinned version for ${n} in src/versions.ts`);
      return [n, EXACT.has(n) ? version : `^${version}`];
    }),
  );
}

/** What a Node framework's entry declares for package.json and its lockfiles. */
interface NodeFrameworkData {
  /** Runtime dependencies besides the connector's driver. */
  dependencies: string[];
  devDependencies?: string[];
  /**
   * Where its package-lock.json per database is kept with the templates, resolved from the
   * package.json this file builds by `npm run lockfiles` (scripts/refresh-node-lockfiles.mjs;
   * run it after changing a Node pin in src/versions.ts; test/unit/node-lockfiles.test.ts
   * fails until then). So a project is frozen from its first commit, and generating it needs
   * no network and no npm. Only the project name is filled in.
   */
  lockfiles: string;
}

function lockfile({ framework, db }: ManifestInput): PlannedFile {
  const dir = (framework.data as unknown as NodeFrameworkData).lockfiles;
  return { path: 'package-lock.json', source: 'template', template: `${dir}/${db.id}.package-lock.json.ejs` };
}

function packageJson({ names, connector, framework }: ManifestInput): Record<string, unknown> {
  const connectorDev = (connector.data?.devDependencies as string[] | undefined) ?? [];
  const own = framework.data as unknown as NodeFrameworkData;
  return {
    name: names.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: versions.engines },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      dev: 'node --watch src/server.ts',
      format: 'biome check --write .',
      lint: 'biome check . && tsc --noEmit',
      migrate: 'node src/migrate.ts',
      prestart: 'npm run build',
      start: `node ${SERVER_ARGS}`,
      test: 'vitest run',
      'test:unit': 'vitest run --project unit',
      'test:integration': 'vitest run --project integration',
      'test:functional': 'vitest run --project functional',
    },
    dependencies: dependencies(versions.packages, [...own.dependencies, connector.driver]),
    devDependencies: dependencies(versions.devPackages, [...DEV_TOOLS, ...(own.devDependencies ?? []), ...connectorDev]),
  };
}

const tsconfig = {
  compilerOptions: {
    target: 'es2024',
    module: 'nodenext',
    strict: true,
    noUncheckedIndexedAccess: true,
    // What Node's type stripping can run: only erasable syntax, explicit `import type`, `.ts` imports.
    erasableSyntaxOnly: true,
    verbatimModuleSyntax: true,
    rewriteRelativeImportExtensions: true,
    skipLibCheck: true,
    types: ['node'],
    // Type-checks src and test (`make lint`); tsconfig.build.json emits src to dist.
    noEmit: true,
  },
  include: ['src', 'test', 'vitest.config.ts'],
};

const tsconfigBuild = {
  extends: './tsconfig.json',
  compilerOptions: { noEmit: false, rootDir: 'src', outDir: 'dist', sourceMap: true },
  include: ['src'],
};

const biome = {
  $schema: `https://biomejs.dev/schemas/${versions.devPackages['@biomejs/biome']}/schema.json`,
  vcs: { enabled: true, clientKind: 'git', useIgnoreFile: true },
  // The README is prose rendered by the generator, not code: left to the author.
  // .npm is GitLab CI's npm cache, kept inside the project because GitLab caches only paths there.
  files: { includes: ['**', '!**/*.md', '!dist', '!coverage', '!.npm', '!package-lock.json'] },
  formatter: { indentStyle: 'space', indentWidth: 2, lineWidth: 120 },
  javascript: { formatter: { quoteStyle: 'single' } },
  // One item per line, as JSON.stringify and npm write JSON, so generated and npm-written files pass as they are.
  json: { formatter: { expand: 'always' } },
  linter: { rules: { preset: 'recommended' } },
};

const F = `${T}/fastify`;

const fastify = {
  name: 'Fastify',
  why:
    'Fastify 5 covers most of the contract by itself: JSON-schema validation of bodies (compiled by Ajv), ' +
    'a 1 MiB body limit that answers 413, `app.inject()` so tests exercise the full HTTP stack without ' +
    'opening a port, and `app.close()`, which stops accepting connections and drains in-flight requests for ' +
    'a graceful SIGTERM. Express 5 would need a body parser, a validation library and hand-written draining ' +
    'for the same result. Fastify also ships its own TypeScript types and the pino JSON logger. ' +
    'Biome is the linter and formatter: one dev dependency and one config file instead of ESLint, Prettier ' +
    'and their plugins, and fast enough to run on every save.',
  files: [
    { from: `${F}/src/app.ts`, to: 'src/app.ts' },
    { from: `${F}/src/json-body.ts`, to: 'src/json-body.ts' },
    { from: `${F}/src/openapi.ts.ejs`, to: 'src/openapi.ts' },
    { from: `${F}/src/server.ts`, to: 'src/server.ts' },
    { from: `${F}/src/validation.ts`, to: 'src/validation.ts' },
    { from: `${F}/test/serve.ts`, to: 'test/serve.ts' },
    { from: `${F}/test/fastify.test.ts`, to: 'test/fastify.test.ts' },
  ],
  layout: [
    ['src/server.ts', 'entry point: reads the environment, listens on $PORT, shuts down gracefully on SIGTERM'],
    ['src/app.ts', 'the Fastify app: routes, validation, error and 404 handlers (no I/O of its own)'],
    ['src/validation.ts', 'the body schema and the paging rules'],
    ['src/openapi.ts', 'route schemas: request validation, response serialisation and the OpenAPI document at /openapi.json (/docs to try it)'],
    ['src/json-body.ts', 'the body parser: every body as JSON, held to src/strict-json.ts'],
    ['test/serve.ts', 'the app for the shared tests, through `app.inject()`'],
  ],
  data: {
    dependencies: ['fastify', '@fastify/swagger', '@fastify/swagger-ui'],
    lockfiles: `${F}/lockfiles`,
  } satisfies NodeFrameworkData,
} satisfies FrameworkSpec;

const E = `${T}/express`;

const express = {
  name: 'Express',
  why:
    'Express 5 is the most used Node web framework, and version 5 forwards rejected promises from async ' +
    'handlers to the error middleware, so routes are plain async functions. What Express leaves to the ' +
    'application is explicit here: the body read by raw-body (what `express.json()` reads with) with a ' +
    '1 MiB limit, answering 413 from the Content-Length or at the first byte past it, where `express.json()` ' +
    'would read a refused body to its end first; zod schemas for bodies and paging (types and ' +
    'runtime checks from one definition), the OpenAPI document built from those same schemas by ' +
    '`@asteasolutions/zod-to-openapi`, one error-handling middleware that turns every failure into ' +
    'a JSON `error` message and never leaks internals from a 500, pino for JSON logs, and a graceful SIGTERM: ' +
    '`server.close()` stops accepting, the requests in flight are answered (with `Connection: close`), then ' +
    'the pool closes. Tests run the app on an ephemeral port with `fetch`, so they exercise the real HTTP ' +
    'stack; one of them sends SIGTERM to the real server mid-request. Biome is the linter and formatter: one dev dependency and one ' +
    'config file instead of ESLint, Prettier and their plugins.',
  files: [
    { from: `${E}/src/app.ts`, to: 'src/app.ts' },
    { from: `${E}/src/errors.ts`, to: 'src/errors.ts' },
    { from: `${E}/src/json-body.ts`, to: 'src/json-body.ts' },
    { from: `${E}/src/openapi.ts`, to: 'src/openapi.ts' },
    { from: `${E}/src/server.ts`, to: 'src/server.ts' },
    { from: `${E}/src/validation.ts`, to: 'src/validation.ts' },
    { from: `${E}/test/serve.ts`, to: 'test/serve.ts' },
    { from: `${E}/test/express.test.ts`, to: 'test/express.test.ts' },
    { from: `${E}/test/shutdown.integration.test.ts`, to: 'test/shutdown.integration.test.ts' },
  ],
  layout: [
    ['src/server.ts', 'entry point: reads the environment, listens on $PORT, shuts down gracefully on SIGTERM'],
    ['src/app.ts', 'the Express app: routes and the middleware order (no I/O of its own)'],
    ['src/errors.ts', 'the error-handling middleware and the 404/405 handlers: every error answers a JSON object with an `error` message'],
    ['src/json-body.ts', 'the body parser middleware: every body as JSON, held to src/strict-json.ts'],
    ['src/validation.ts', 'zod schemas for bodies and paging, shared with the OpenAPI document'],
    ['src/openapi.ts', 'the OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas'],
    ['test/serve.ts', 'the app for the shared tests, on an ephemeral port'],
  ],
  data: {
    dependencies: ['express', 'raw-body', 'zod', '@asteasolutions/zod-to-openapi', 'pino'],
    devDependencies: ['@types/express'],
    lockfiles: `${E}/lockfiles`,
  } satisfies NodeFrameworkData,
} satisfies FrameworkSpec;

export const node = {
  id: 'node',
  label: 'Node.js',
  image: versions.image,
  frameworks: { fastify, express },
  files: [
    { from: `${T}/src/config.ts`, to: 'src/config.ts' },
    { from: `${T}/src/items.ts`, to: 'src/items.ts' },
    { from: `${T}/src/http-server.ts`, to: 'src/http-server.ts' },
    { from: `${T}/src/lifecycle.ts`, to: 'src/lifecycle.ts' },
    { from: `${T}/src/migrate.ts`, to: 'src/migrate.ts' },
    { from: `${T}/src/strict-json.ts`, to: 'src/strict-json.ts' },
    // The contract at the HTTP layer and against the database, through each framework's test/serve.ts.
    { from: `${T}/test/http.ts`, to: 'test/http.ts' },
    { from: `${T}/test/app.test.ts`, to: 'test/app.test.ts' },
    { from: `${T}/test/http-server.test.ts`, to: 'test/http-server.test.ts' },
    { from: `${T}/test/raw-http.ts`, to: 'test/raw-http.ts' },
    { from: `${T}/test/items.integration.test.ts.ejs`, to: 'test/items.integration.test.ts' },
    { from: `${T}/test/config.test.ts`, to: 'test/config.test.ts' },
    { from: `${T}/test/memory-repository.ts`, to: 'test/memory-repository.ts' },
    { from: `${T}/test/freezable-proxy.ts`, to: 'test/freezable-proxy.ts' },
    ...['service.ts', 'http.ts', 'health.test.ts', 'items.test.ts'].map((name) => ({
      from: `${T}/test/functional/${name}`,
      to: `test/functional/${name}`,
    })),
    { from: `${T}/vitest.config.ts`, to: 'vitest.config.ts' },
  ],
  dockerFiles: [{ from: `${T}/Dockerfile.ejs`, to: 'Dockerfile' }],
  connectors,
  // The shared, numbered SQL files, applied in order by src/db/migrate.ts and recorded in
  // `schema_migrations`: plain SQL needs no migration library, and every language reads the same files.
  sqlMigrationsDir: 'migrations',
  // The Node running the CLI is the one a new user runs the project on: said at once when
  // it is older than the project's `engines`, whose `npm ci` then refuses to install.
  runtimeWarning() {
    const oldest = Number(/^>=(\d+)$/.exec(versions.engines)?.[1]);
    if (!(Number(process.versions.node.split('.')[0]) < oldest)) return undefined;
    return `this project needs Node ${versions.engines} (package.json "engines"; .nvmrc names ${versions.runtime}), and this is Node ${process.version}: make install refuses to run under it, so install a newer Node first`;
  },
  manifests: (input) => [
    json('package.json', packageJson(input)),
    json('tsconfig.json', tsconfig),
    json('tsconfig.build.json', tsconfigBuild),
    json('biome.json', biome),
    lockfile(input),
    // The lockfile records no registry URLs (integrity hashes only): it installs the same from
    // any registry or mirror, and a later `npm install` keeps it that way. engine-strict: on a
    // Node older than package.json's `engines` (which cannot run the TypeScript sources), `npm
    // ci` stops with npm's "Unsupported engine ... Required: {"node":">=24"}" instead of
    // installing, so the first make target says what is wrong.
    {
      path: '.npmrc',
      source: 'content',
      content: [
        'omit-lockfile-registry-resolved=true',
        '# Refuse to install on a Node older than package.json "engines": it cannot run the TypeScript sources.',
        'engine-strict=true',
        '',
      ].join('\n'),
    },
    // The Node release the Dockerfile and the tests run: `nvm use` (or fnm, volta) picks it up.
    { path: '.nvmrc', source: 'content', content: `${versions.runtime}\n` },
  ],
  make: {
    // Tools run through $(NODE) so `make test NODE=/opt/node26/bin/node` uses that Node throughout.
    variables: { NODE: 'node', NPM: 'npm' },
    targets: {
      // Exactly what package-lock.json records (generated with the project); `npm install <pkg>` changes it.
      install: ['$(NPM) ci'],
      dev: ['$(NODE) --watch src/server.ts'],
      start: ['$(NODE) node_modules/.bin/tsc -p tsconfig.build.json', `$(NODE) ${SERVER_ARGS}`],
      // The layers below are its prerequisites; nothing runs after them.
      test: [],
      lint: ['$(NODE) node_modules/.bin/biome check .', '$(NODE) node_modules/.bin/tsc --noEmit'],
      migrate: ['$(NODE) src/migrate.ts'],
    },
    // One vitest project per layer (vitest.config.ts): a failing layer stops `make test` before the slower ones.
    testLayers: {
      unit: ['$(NODE) node_modules/.bin/vitest run --project unit'],
      integration: ['$(NODE) node_modules/.bin/vitest run --project integration'],
      // Without BASE_URL it builds and starts dist/server.js itself, under this same $(NODE).
      functional: ['$(NODE) node_modules/.bin/vitest run --project functional'],
    },
  },
  ci: {
    // setup-node keys its npm download cache on package-lock.json.
    githubSetup: [{ uses: versions.actions.setupNode, with: { 'node-version': versions.runtime, cache: 'npm' } }],
    gitlabImage: versions.image,
    // Slim images have no make.
    gitlabBeforeScript: ['apt-get update', 'apt-get install -y --no-install-recommends make'],
    gitlabCache: {
      keyFiles: ['package-lock.json'],
      paths: ['.npm/'],
      variables: { npm_config_cache: '$CI_PROJECT_DIR/.npm' },
    },
    // High and critical advisories fail the build; lower ones are listed in the log.
    audit: ['npm audit --audit-level=high'],
    dependabotEcosystem: 'npm',
    lockfile: { path: 'package-lock.json', writtenBy: 'generator' },
  },
  ignore: {
    git: ['node_modules/', 'dist/', 'coverage/', '*.tsbuildinfo', 'npm-debug.log*'],
    docker: ['node_modules', 'dist', 'coverage', 'test', '.github', '.gitlab-ci.yml', 'docker-compose.yml', '*.md'],
  },
  container: {
    // The official image's `node` user.
    uid: 1000,
    gid: 1000,
    writablePaths: ['/tmp'],
    serve: ['node', ...SERVER_ARGS.split(' ')],
    migrate: ['node', 'dist/migrate.js'],
    migrationLock: true,
    // SHUTDOWN_TIMEOUT_MS in src/server.ts.
    shutdownSeconds: 10,
  },
  // npm refuses to install a dependency that has the project's own name (ENOSELF).
  reservedNames: [
    ...[...Object.keys(versions.packages), ...Object.keys(versions.devPackages)].filter((n) => !n.startsWith('@')),
    'express',
  ],
  defaultPort: 3000,
  layout: [
    ['src/config.ts', 'environment variables and `.env` loading'],
    ['src/items.ts', 'the Item type and the repository interface the routes use'],
    ['src/strict-json.ts', 'the 1 MiB body limit and what a JSON body may not hold: invalid UTF-8, lone surrogates, NUL, deep nesting'],
    ['src/http-server.ts', 'the HTTP server settings: request timeouts (408), JSON answers to CONNECT and to requests Node cannot parse'],
    ['src/lifecycle.ts', 'what src/server.ts does around the framework: configuration, graceful SIGTERM, start-up database work'],
    ['src/db/', 'the database connector: queries (repository.ts) and schema setup (migrate.ts)'],
    ['src/migrate.ts', '`make migrate`: applies pending migrations (SQL) or ensures indexes (MongoDB)'],
    ['test/', 'vitest: unit tests with an in-memory repository, integration tests (`*.integration.test.ts`) against the real database'],
    ['test/functional/', 'black-box HTTP tests of every route, against `BASE_URL` or the built server they start on a free port (`service.ts`)'],
    ['vitest.config.ts', 'the three test layers as vitest projects: `unit`, `integration`, `functional`'],
    ['package.json', 'dependencies and npm scripts; `package-lock.json` pins every package, and `make install` (`npm ci`) installs exactly that'],
    ['.nvmrc', 'the Node release the Dockerfile and the tests run (`nvm use`); package.json `engines` is the oldest it runs on, and `npm ci` refuses an older one'],
    ['biome.json', 'lint and format rules (`npm run format` fixes what `make lint` reports)'],
    ['tsconfig.json', 'type checking of src and test; tsconfig.build.json compiles src to dist/'],
  ],
} satisfies LanguageSpec;
