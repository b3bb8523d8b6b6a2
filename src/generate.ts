import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { databases } from './databases/index.js';
import { initGitRepository, type GitResult } from './git/git.js';
import { generatorVersion, templatesDir } from './meta.js';
import { secretNames } from './models/env.js';
import { buildPlan, type Plan } from './plan/build-plan.js';
import type { Answers, GenerateOptions } from './plan/types.js';
import { renderPlan } from './render/render.js';
import { assertWritableTarget } from './write/target.js';
import { writeProject } from './write/write-project.js';

export interface GenerateResult {
  ok: true;
  dryRun: boolean;
  directory: string;
  answers: Answers;
  files: string[];
  keptAsOrig: string[];
  git: GitResult | null;
  install: { status: 'done' } | null;
  warnings: string[];
  nextSteps: string[];
}

export interface Reporter {
  /** Progress lines (stderr with --json, stdout otherwise); warnings are in the result. */
  info(line: string): void;
}

const silent: Reporter = { info: () => {} };

/** A failure after the project was written (install) is still exit code 1. */
export class GenerationError extends Error {
  readonly exitCode = 1;
}

export function answersOf(o: GenerateOptions): Answers {
  return { lang: o.lang, db: o.db, name: o.name, ci: o.ci, docker: o.docker, kubernetes: o.kubernetes, git: o.git };
}

export function randomSecret(): string {
  return randomBytes(18).toString('base64url');
}

export function planFor(options: GenerateOptions): Plan {
  const answers = answersOf(options);
  const secrets = Object.fromEntries(secretNames(databases[answers.db]).map((n) => [n, randomSecret()]));
  return buildPlan(answers, { generatorVersion, secrets });
}

export async function generate(options: GenerateOptions, reporter: Reporter = silent): Promise<GenerateResult> {
  const target = path.resolve(options.directory);
  await assertWritableTarget(target, options.force);
  const plan = planFor(options);
  const files = await renderPlan(plan, templatesDir);
  const warnings: string[] = [];
  const result: GenerateResult = {
    ok: true,
    dryRun: options.dryRun,
    directory: target,
    answers: plan.answers,
    files: files.map((f) => f.path),
    keptAsOrig: [],
    git: null,
    install: null,
    warnings,
    nextSteps: nextSteps(target, options),
  };
  if (options.dryRun) return result;

  const written = await writeProject(target, files);
  result.keptAsOrig = written.keptAsOrig;
  for (const f of written.keptAsOrig) warnings.push(`kept your previous file as ${f}`);

  if (options.git) {
    result.git = await initGitRepository(target);
    if (result.git.message) warnings.push(result.git.message);
  }
  if (options.install) {
    reporter.info(`Installing dependencies (make install) in ${target} …`);
    await runInstall(target);
    result.install = { status: 'done' };
  }
  return result;
}

function nextSteps(target: string, o: GenerateOptions): string[] {
  const rel = path.relative(process.cwd(), target) || '.';
  const steps = [`cd ${shellQuote(rel)}`];
  if (!o.install) steps.push('make install');
  if (o.docker) steps.push('make up');
  if (databases[o.db].family === 'sql') steps.push('make migrate');
  steps.push('make test', 'make start');
  return steps;
}

/** Quote a path for the next-steps hint only when it needs it. */
export function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function runInstall(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Install output is progress, never the --json result: it goes to stderr.
    const child = spawn('make', ['install'], { cwd: dir, stdio: ['ignore', 2, 2] });
    child.on('error', (err) =>
      reject(new GenerationError(`the project was generated, but make install could not start: ${err.message}`)),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new GenerationError(`the project was generated in ${dir}, but make install failed (exit ${code}); fix the cause and run it again there`)),
    );
  });
}

