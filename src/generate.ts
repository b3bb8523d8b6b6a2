import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { databases } from './databases/index.js';
import { languageFor } from './languages/index.js';
import { initGitRepository, type GitResult } from './git/git.js';
import { generatorVersion, templatesDir } from './meta.js';
import { secretNames } from './models/env.js';
import { buildPlan, type Plan } from './plan/build-plan.js';
import type { Answers, GenerateOptions } from './plan/types.js';
import { renderPlan } from './render/render.js';
import { UsageError } from './options/resolve.js';
import { shellQuote, show } from './write/display.js';
import { Interrupted, WriteError } from './write/errors.js';
import { describeFsError } from './write/fs-errors.js';
import { SignalGuard } from './write/signals.js';
import { assertWritableTarget, resolveTarget } from './write/target.js';
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
  /**
   * Set by the CLI, which owns its process: a signal once the project is written ends the
   * process at once, saying what is on disk. A library caller keeps its own signal handling
   * then, and gets an Interrupted error for a signal that came in during the write.
   */
  ownsProcess?: boolean;
}

const silent: Reporter = { info: () => {} };

/** A failure after the project was written (install) is still exit code 1. */
export class GenerationError extends Error {
  readonly exitCode = 1;
}

export function answersOf(o: GenerateOptions): Answers {
  return { lang: o.lang, framework: o.framework, db: o.db, name: o.name, ci: o.ci, docker: o.docker, kubernetes: o.kubernetes, git: o.git };
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
  // A target that is a link to a folder is followed once; messages keep the user's name.
  const real = await checkedTarget(target, options.force);
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
  const runtime = languageFor(options.lang, options.framework).runtimeWarning?.();
  if (runtime) warnings.push(runtime);
  if (options.dryRun) return result;

  const guard = new SignalGuard();
  try {
    const written = await writeProject(real, files, { force: options.force, guard, shown: target });
    result.keptAsOrig = written.keptAsOrig;
    for (const f of written.keptAsOrig) warnings.push(`kept your previous file as ${show(f)}`);

    let step = '';
    const late = (signal: NodeJS.Signals) =>
      step
        ? `Interrupted (${signal}): the project is complete in ${show(target)}, but ${step} did not finish; run it there yourself.`
        : `Interrupted (${signal}): the project is complete in ${show(target)}.`;
    if (reporter.ownsProcess) guard.afterWrite(late);
    else {
      guard.dispose();
      if (guard.received) throw new Interrupted(guard.received, late(guard.received));
    }
    if (options.git) {
      step = 'git init (git init && git add -A && git commit)';
      result.git = await initGitRepository(real, { aside: written.aside });
      if (result.git.message) warnings.push(result.git.message);
      if (result.git.keptOutOfGit?.length) {
        warnings.push(`kept out of the first commit, as your ignore rules exclude them: ${result.git.keptOutOfGit.map((p) => show(p)).join(', ')}`);
      }
    }
    if (options.install) {
      step = 'make install';
      reporter.info(`Installing dependencies (make install) in ${show(target)} …`);
      await runInstall(real, target);
      result.install = { status: 'done' };
    }
    return result;
  } finally {
    guard.dispose();
  }
}

/** The target to write to, or a usage error saying why it cannot be; never a raw errno. */
async function checkedTarget(target: string, force: boolean): Promise<string> {
  try {
    const real = await resolveTarget(target);
    await assertWritableTarget(real, force, target);
    return real;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    const message = (await describeFsError(err as NodeJS.ErrnoException, target)) ?? (err as Error).message;
    // Problems with the path itself are the user's to change: usage errors, exit 2.
    throw ['ENOTDIR', 'ENAMETOOLONG', 'ELOOP'].includes(code) ? new UsageError(message) : new WriteError(message);
  }
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

export { shellQuote };

function runInstall(dir: string, shown: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Install output is progress, never the --json result: it goes to stderr.
    const child = spawn('make', ['install'], { cwd: dir, stdio: ['ignore', 2, 2] });
    child.on('error', (err) =>
      reject(new GenerationError(`the project was generated, but make install could not start: ${err.message}`)),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new GenerationError(`the project was generated in ${show(shown)}, but make install failed (exit ${code}); fix the cause and run it again there`)),
    );
  });
}

