import { chmod } from 'node:fs/promises';
import path from 'node:path';
import Generator from 'yeoman-generator';
import { planFor } from '../../src/generate.js';
import { initGitRepository } from '../../src/git/git.js';
import { templatesDir } from '../../src/meta.js';
import { resolveOptions, type RawAnswers } from '../../src/options/resolve.js';
import { argName, isPositional, options, questionsFor } from '../../src/options/schema.js';
import type { GenerateOptions } from '../../src/plan/types.js';
import { renderPlan } from '../../src/render/render.js';

// Writing, dry runs and JSON output are Yeoman's business here (mem-fs, its conflicter,
// `--force`), so only the answers and `--yes` become generator options.
const exposed = options.filter((o) => o.answer || o.key === 'yes');

/**
 * `yo backend-starter` / yeoman-environment front end. Lifecycle wiring only: the answers,
 * the plan and the rendering are the CLI's, so both produce the same files.
 */
export default class BackendStarterGenerator extends Generator {
  private answers?: GenerateOptions;

  constructor(args: string[], opts: Record<string, unknown>) {
    super(args, opts as never);
    this.argument('directory', { type: String, required: false, description: 'Where to create the project' });
    for (const o of exposed) {
      if (isPositional(o)) continue;
      this.option(o.flag, {
        type: o.type === 'boolean' ? Boolean : String,
        description: o.describe,
        ...(o.alias ? { alias: o.alias } : {}),
      });
    }
  }

  async prompting(): Promise<void> {
    const raw: Record<string, unknown> = {};
    const given = this.options as Record<string, unknown>;
    for (const o of exposed) {
      const value = given[argName(o)];
      if (value !== undefined) raw[o.key] = value;
    }
    const yes = raw.yes === true;
    delete raw.yes;
    if (!yes) {
      const questions = questionsFor(raw).map((q) => ({
        name: q.key,
        message: q.message,
        type: q.kind === 'select' ? 'list' : q.kind,
        choices: q.choices,
        default: q.default,
        ...(q.when ? { when: q.when } : {}),
      }));
      Object.assign(raw, await this.prompt(questions as never));
      if (raw.name === '') delete raw.name;
    }
    // Relative to where Yeoman was asked to run, not to this process's cwd.
    if (typeof raw.directory === 'string') raw.directory = path.resolve(this.destinationRoot(), raw.directory);
    else raw.directory = this.destinationRoot();
    this.answers = resolveOptions(raw as RawAnswers);
    this.destinationRoot(this.answers.directory);
  }

  async writing(): Promise<void> {
    const files = await renderPlan(planFor(this.answers!), templatesDir);
    for (const f of files) this.fs.write(this.destinationPath(f.path), f.content);
  }

  async end(): Promise<void> {
    await chmod(this.destinationPath('.env'), 0o600).catch(() => undefined);
    if (this.answers?.git) {
      const git = await initGitRepository(this.destinationRoot());
      if (git.message) this.log(git.message);
    }
    this.log(`Created ${this.answers?.name} in ${this.destinationRoot()}. Next: make install && make test`);
  }
}
