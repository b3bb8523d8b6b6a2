import type { DatabaseId } from '../databases/index.js';
import type { FileRule, PlannedFile, ProjectNames, WorkflowStep } from '../plan/types.js';
import type { DatabaseSpec } from '../databases/types.js';

/** What one language × database pair adds: the driver and its connector files. */
export interface Connector {
  /** Driver package name as the ecosystem spells it (`pg`, `psycopg`, `mysql2` …). */
  driver: string;
  files: FileRule[];
  /**
   * Debian/Ubuntu packages its driver needs to build from source (mysqlclient: a compiler and
   * libmysqlclient's headers): the Dockerfile's build stage and CI install them first.
   */
  buildPackages?: string[];
  /** Capabilities the language's templates read (`<%= connector.x %>`), never database ids. */
  data?: Record<string, unknown>;
}

export type MakeTarget = 'install' | 'dev' | 'start' | 'test' | 'lint' | 'migrate';

/**
 * The three test layers, each a make target (`make test-unit` …) that `make test` runs in
 * order: unit (no database), integration (the real database in TEST_DATABASE_URL or
 * DATABASE_URL), functional (black-box HTTP against `BASE_URL`, or a service the suite
 * starts itself on a free port of 127.0.0.1 and stops with SIGTERM).
 */
export type TestLayer = 'unit' | 'integration' | 'functional';

/** What the language's manifests are built from. */
export interface ManifestInput {
  names: ProjectNames;
  db: DatabaseSpec;
  connector: Connector;
  framework: FrameworkSpec;
  generatorVersion: string;
}

/**
 * One framework of a language: what serves HTTP. It owns its templates and what its
 * manifests need (`data`, read by the language's `manifests`); everything its language
 * shares between frameworks (runtime, image, CI, Makefile, ignore lists, reserved names,
 * connectors) stays on the language. Adding a framework touches its entry and its
 * templates only.
 */
export interface FrameworkSpec {
  /** Shown in prompts and in the generated README (`Why Express`). */
  name: string;
  why: string;
  /** The framework's own files, besides the language's shared ones. */
  files?: FileRule[];
  /** Its own files for one database (tests that drive its app against that database's driver). */
  databaseFiles?: Partial<Record<DatabaseId, FileRule[]>>;
  /** Replaces the language's connector for a database the framework reaches its own way. */
  connectors?: Partial<Record<DatabaseId, Connector>>;
  /**
   * Databases the framework has no maintained way to reach, each with the reason: the CLI
   * refuses the pair with that reason and the choices that work.
   */
  refuses?: Partial<Record<DatabaseId, string>>;
  /** Lines for the generated README's layout section, before the language's. */
  layout?: Array<[string, string]>;
  /** What the language's manifests read (dependencies …), never framework ids. */
  data?: Record<string, unknown>;
  /**
   * What the framework does its own way instead of the language (Django's `manage.py migrate`
   * and its own migrations, a different server command). `languageFor` merges these over the
   * language, so everything downstream reads one LanguageSpec.
   */
  overrides?: LanguageOverrides;
}

export interface LanguageOverrides {
  make?: {
    variables?: Record<string, string>;
    targets?: Partial<Record<MakeTarget, string[]>>;
    testLayers?: Record<TestLayer, string[]>;
  };
  container?: Partial<ContainerRuntime>;
  sqlMigrationsDir?: string | null;
  schemaChange?: string;
  dockerFiles?: FileRule[];
  layout?: Array<[string, string]>;
}

export interface LanguageSpec {
  id: string;
  label: string;
  /** Its frameworks by id, the first being the default (`--framework`). */
  frameworks: Record<string, FrameworkSpec>;
  /** The official base image its Dockerfile builds on (from versions.ts), as `lang.image` in templates. */
  image: string;
  /** Files every project of this language gets, whatever its framework. */
  files: FileRule[];
  /** Files only with `--docker` (at least the Dockerfile). */
  dockerFiles: FileRule[];
  /** The one language × database table. */
  connectors: Record<DatabaseId, Connector>;
  /** Where the shared SQL migrations go, or null when the language keeps its own format. */
  sqlMigrationsDir: string | null;
  /**
   * The generated README's sentence (Markdown) on how to change a SQL schema, for a language
   * or framework with migrations of its own format; the shared SQL files have a default.
   */
  schemaChange?: string;
  /**
   * What to tell the user at generation when the machine running the CLI is too old to run
   * the project it generates (its runtime is the one a project of this language uses).
   */
  runtimeWarning?(): string | undefined;
  /** Structured manifests (package.json, pyproject.toml …), serialised by the language. */
  manifests(input: ManifestInput): PlannedFile[];
  /**
   * Make variables (`PYTHON ?= python3`) and the recipe lines of each uniform target. With
   * `testLayers`, `make test` depends on the three layer targets and runs `targets.test` after them.
   */
  make: {
    variables: Record<string, string>;
    targets: Record<MakeTarget, string[]>;
    testLayers?: Record<TestLayer, string[]>;
  };
  ci: {
    /** Steps after checkout that put the runtime on the GitHub runner, with its dependency cache. */
    githubSetup: WorkflowStep[];
    /** Image GitLab CI runs the job in, and commands before `make install`. */
    gitlabImage: string;
    gitlabBeforeScript: string[];
    /**
     * GitLab keeps only paths inside the project between jobs: the download cache goes there
     * (`variables` point the tool at it), keyed on the files that pin the dependencies.
     */
    gitlabCache: { keyFiles: string[]; paths: string[]; variables: Record<string, string> };
    /** Commands, after `make install`, that fail on known vulnerabilities in the installed dependencies. */
    audit: string[];
    /** Dependabot's `package-ecosystem` for the manifest (`npm`, `pip`, `bundler`, `composer`). */
    dependabotEcosystem: string;
    /**
     * The lockfile installs are frozen to: shipped with the project (`generator`), or written
     * by the first `make install` where its registry cannot be reached when generating
     * (`first-install`; the README asks to commit it). Absent while the language has none.
     */
    lockfile?: { path: string; writtenBy: 'generator' | 'first-install' };
  };
  ignore: { git: string[]; docker: string[] };
  /**
   * How the image built by the language's Dockerfile runs, for Kubernetes (k8s/). Keep it in
   * step with the Dockerfile: test/kubernetes checks the user and the commands against it.
   */
  container: ContainerRuntime;
  /** Port the service listens on by default (also the container port). */
  defaultPort: number;
  /**
   * Project names this language cannot use, because the name becomes an identifier
   * (a PHP namespace, a Ruby module) that would clash with a keyword or a core constant.
   */
  reservedNames?: readonly string[];
  /** Lines for the generated README's layout section: [path, what it holds]. */
  layout: Array<[string, string]>;
}

export interface ContainerRuntime {
  /**
   * Numeric ids of the Dockerfile's `USER`: Kubernetes can only enforce `runAsNonRoot` for a
   * numeric user, so the pod names it.
   */
  uid: number;
  gid: number;
  /** Where the runtime writes, each an emptyDir under a read-only root filesystem. */
  writablePaths: string[];
  /** Arguments that start the server alone (the image's CMD without the migration step). */
  serve: string[];
  /** Arguments that apply pending SQL migrations (Kubernetes runs them in an init container). */
  migrate: string[];
  /**
   * Whether `migrate` serialises concurrent runs on a database lock (pg_advisory_lock /
   * GET_LOCK), which makes pods starting together safe; test/kubernetes checks the sources.
   */
  migrationLock: boolean;
  /** The longest the server takes to finish in-flight requests after SIGTERM. */
  shutdownSeconds: number;
}
