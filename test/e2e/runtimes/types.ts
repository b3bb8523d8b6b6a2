/**
 * Convention: `test/e2e/runtimes/<lang>.ts` does `export const runtime: LocalRuntime = { … }`
 * (test/e2e/runtimes/index.ts collects them by that name).
 *
 * How the e2e suite runs one language's generated project on this machine, where only
 * the npm registry and Debian's packages are reachable. Each language owns its file.
 */
export interface LocalRuntime {
  /** Why this language's projects cannot run here (runtime or libraries missing), or null. */
  unavailable(): Promise<string | null>;
  /**
   * Why `make lint` (the project's linter and, for Node, its type-check) cannot run here,
   * or null when it can: then the e2e suite runs it on the generated project.
   */
  lintUnavailable(): Promise<string | null>;
  /**
   * Why one of the language's frameworks cannot run here (it needs a newer runtime than the
   * language's minimum, say), or null. Absent: every framework runs where the language does.
   */
  unavailableFor?(framework: string): Promise<string | null>;
  /** Make variables for every `make` call (e.g. `{ PYTHON: '/usr/bin/python3' }`). */
  makeVars: Record<string, string>;
  /** Extra environment for every command (e.g. PATH with another Node release first). */
  env(): Promise<Record<string, string>>;
  /**
   * Make the project's dependencies available: `make install` where the ecosystem's
   * registry is reachable, otherwise the nearest offline equivalent (say which in a comment).
   */
  install(dir: string, env: NodeJS.ProcessEnv): Promise<void>;
  /**
   * How to run a command of the project's (every `make` call, and the server command)
   * where this language's runtime lives, e.g. inside the Debian 13 root (see debian13.ts).
   * Absent: on the host as it is.
   */
  wrap?(command: string, args: string[], cwd: string): Promise<{ command: string; args: string[] }>;
}
