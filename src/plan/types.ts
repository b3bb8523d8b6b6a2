import type { DatabaseId } from '../databases/index.js';
import type { FrameworkId, LanguageId } from '../languages/index.js';

export type CiChoice = 'github' | 'gitlab' | 'both' | 'none';

/** The answers that shape the generated files (what `.backend-starter.json` records). */
export interface Answers {
  lang: LanguageId;
  /** One of the language's frameworks (`frameworkIds(lang)`). */
  framework: FrameworkId;
  db: DatabaseId;
  name: string;
  ci: CiChoice;
  docker: boolean;
  kubernetes: boolean;
  git: boolean;
}

/** Answers plus how to run: where to write and what to do afterwards. */
export interface GenerateOptions extends Answers {
  directory: string;
  install: boolean;
  force: boolean;
  dryRun: boolean;
}

/** Every spelling of the project name a generated file needs, derived once. */
export interface ProjectNames {
  /** kebab-case package name: `my-api` */
  name: string;
  /** snake_case identifier, also the database name: `my_api` */
  snake: string;
  /** PascalCase identifier for namespaces and modules: `MyApi` */
  pascal: string;
  /** Human title: `My Api` */
  title: string;
}

/** A file the plan wants written. `to` paths use `/` and are relative to the project root. */
export type PlannedFile =
  | { path: string; source: 'template'; template: string; mode?: number; data?: Record<string, unknown> }
  | { path: string; source: 'content'; content: string; mode?: number; secret?: boolean };

/**
 * A template to render: `from` is relative to `templates/` (rendered with ejs when it
 * ends in `.ejs`, copied byte for byte otherwise); `to` may use `{snake}`, `{name}`
 * and `{pascal}`.
 */
export interface FileRule {
  from: string;
  to: string;
  mode?: number;
  /** Values this one template reads besides the plan's (a shared template placed per framework). */
  data?: Record<string, unknown>;
}

/** A GitHub Actions step, as it appears in workflow YAML. */
export type WorkflowStep = Record<string, unknown>;

/** Database credentials a generated project uses; the password comes from `.env`. */
export interface DbCredentials {
  user: string;
  password: string;
  host: string;
  port: number;
  database: string;
}
