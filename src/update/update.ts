import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { databases } from '../databases/index.js';
import { randomSecret } from '../generate.js';
import { generatorVersion, templatesDir } from '../meta.js';
import { secretNames } from '../models/env.js';
import { defaultFor, optionByKey, options, type OptionKey } from '../options/schema.js';
import { UsageError, validateValue } from '../options/resolve.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Answers } from '../plan/types.js';
import { renderPlan, type RenderedFile } from '../render/render.js';
import {
  canonicalRecord,
  findRepo,
  findStoredBase,
  recordBase,
  RECORD_FILE,
  type BaseSource,
  type Repo,
  type Tree,
} from './base.js';
import { appendMissing, envValues } from './env.js';
import { git, runGit } from './git-run.js';
import { isLockfile, lockfileNotes } from './lockfiles.js';
import { decide, mergeFile } from './merge.js';

/**
 * The answers update may be given: every answer in the option schema that shapes the files
 * (so options added later, a framework or Kubernetes, can change without touching this),
 * except where to write, whether to install, and whether to `git init`, which say how a
 * generation runs. Language, database and name are checked, never changed.
 */
const RUN_ONLY = new Set<string>(['directory', 'install', 'git']);
export const updatableAnswers: OptionKey[] = options.filter((o) => o.answer && !RUN_ONLY.has(o.key)).map((o) => o.key as OptionKey);
/** Changing these would rewrite the project rather than update it. */
const FIXED: Partial<Record<string, string>> = {
  lang: 'language',
  framework: 'framework',
  db: 'database',
  name: 'project name',
};

export interface UpdateOptions extends Partial<Record<OptionKey, unknown>> {
  directory?: string;
  dryRun?: boolean;
  force?: boolean;
  commit?: boolean;
}

export type ChangeAction = 'added' | 'updated' | 'merged' | 'conflict' | 'removed';
export interface Change {
  path: string;
  action: ChangeAction;
  /** For a conflict: how many conflicting hunks, or why the file could not be merged. */
  detail?: string;
}
export interface Kept {
  path: string;
  reason: 'deleted-by-you' | 'changed-by-you-no-longer-generated';
}

export interface UpdateResult {
  /** false when conflicts are left to resolve (exit code 1). */
  ok: boolean;
  dryRun: boolean;
  directory: string;
  from: { version: string; answers: Answers };
  to: { version: string; answers: Answers };
  base: BaseSource;
  /** What update did (or, with dryRun, would do), by path. */
  changes: Change[];
  /** Files left alone because of what you did to them. */
  kept: Kept[];
  conflicts: string[];
  /** Variables appended to `.env`. */
  envAdded: string[];
  notes: string[];
  /** The commit made with `commit: true`, else null. */
  commit: string | null;
}

/** A failure that is not the user's usage: exit code 1. */
export class UpdateError extends Error {
  readonly exitCode = 1;
}

export interface UpdateReporter {
  info(line: string): void;
}

export async function updateProject(opts: UpdateOptions = {}, reporter: UpdateReporter = { info: () => {} }): Promise<UpdateResult> {
  const target = path.resolve(opts.directory ?? '.');
  const recordBytes = await readFile(path.join(target, RECORD_FILE)).catch(() => {
    throw new UsageError(
      `${target} has no ${RECORD_FILE}: update only works on a project made by create-backend-starter, from its root directory`,
    );
  });
  const record = canonicalRecord(recordBytes);
  const from = parseRecord(recordBytes);
  const to = { version: generatorVersion, answers: nextAnswers(from.answers, opts) };

  const repo = await findRepo(target);
  if (opts.commit && !repo) throw new UsageError(`${target} is not in a git repository, so --commit has nothing to commit to`);
  if (!opts.dryRun) await assertSafeToWrite(target, repo, Boolean(opts.force));

  const base = await recoverBase(target, repo, record!, from);
  const next = await render(to.answers, await readEnv(target, secretPathsOf(to.answers)));
  const secretPaths = new Set(next.filter((f) => f.secret).map((f) => f.path));
  const nextByPath = new Map(next.map((f) => [f.path, f]));

  const result: UpdateResult = {
    ok: true,
    dryRun: Boolean(opts.dryRun),
    directory: target,
    from,
    to,
    base: base.source,
    changes: [],
    kept: [],
    conflicts: [],
    envAdded: [],
    notes: [],
    commit: null,
  };
  const writes: Array<{ path: string; content: Buffer; mode?: number }> = [];
  const removals: string[] = [];
  const labels = {
    yours: 'yours',
    base: `create-backend-starter ${from.version}`,
    next: `create-backend-starter ${to.version}`,
  };

  const paths = [...new Set([...base.tree.keys(), ...nextByPath.keys()])].sort();
  for (const p of paths) {
    if (secretPaths.has(p) || p === RECORD_FILE) continue;
    const b = base.tree.get(p)?.content;
    const n = nextByPath.get(p);
    const yours = await readWorkingFile(target, p);
    const d = decide(b, yours, n?.content);
    if (d.kind === 'merge' && isLockfile(p)) {
      result.notes.push(`${p}: yours was kept (lockfiles are never text-merged); run make install to regenerate it`);
      continue;
    }
    if (d.kind === 'write') {
      writes.push({ path: p, content: n!.content, mode: await nextMode(target, p, base.tree.get(p)?.mode, n!.mode ?? 0o644) });
      result.changes.push({ path: p, action: d.action });
    } else if (d.kind === 'remove') {
      removals.push(p);
      result.changes.push({ path: p, action: 'removed' });
    } else if (d.kind === 'kept-deleted') {
      result.kept.push({ path: p, reason: 'deleted-by-you' });
    } else if (d.kind === 'kept-changed') {
      result.kept.push({ path: p, reason: 'changed-by-you-no-longer-generated' });
    } else if (d.kind === 'merge') {
      const merged = await mergeFile(yours!, b, n!.content, labels);
      if (merged.conflicts > 0) {
        result.conflicts.push(p);
        result.changes.push({
          path: p,
          action: 'conflict',
          detail: merged.unmergeable ?? `${merged.conflicts} conflicting ${merged.conflicts === 1 ? 'hunk' : 'hunks'}`,
        });
      } else {
        result.changes.push({ path: p, action: 'merged' });
      }
      if (!merged.content.equals(yours!)) writes.push({ path: p, content: merged.content });
    }
  }

  // The record is ours, not a file to merge: it states what the tree now corresponds to.
  const nextRecord = nextByPath.get(RECORD_FILE)!.content;
  const recordChanged = canonicalRecord(nextRecord) !== record;
  if (!nextRecord.equals(recordBytes)) {
    writes.push({ path: RECORD_FILE, content: nextRecord });
    result.changes.push({ path: RECORD_FILE, action: 'updated' });
  }

  for (const p of secretPaths) {
    const current = await readWorkingFile(target, p);
    if (!current) {
      result.notes.push(`${p} is missing and was not created: copy .env.example to ${p} and fill it in`);
      continue;
    }
    const appended = appendMissing(current.toString('utf8'), nextByPath.get(p)!.content.toString('utf8'), to.version);
    if (appended) {
      writes.push({ path: p, content: Buffer.from(appended.text, 'utf8') });
      result.envAdded.push(...appended.added);
    }
  }

  result.notes.push(...(await lockfileNotes(target, result.changes.map((c) => c.path))));
  result.ok = result.conflicts.length === 0;
  result.changes.sort((a, b) => (a.path < b.path ? -1 : 1));
  if (opts.dryRun) return result;

  for (const w of writes) await writeAtomically(target, w.path, w.content, w.mode);
  for (const p of removals) await removeAndPrune(target, p);

  if (repo && (recordChanged || base.source !== 'ref')) {
    const stored: Tree = new Map(
      next.filter((f) => !f.secret).map((f) => [f.path, { content: f.content, mode: f.mode ?? 0o644 }]),
    );
    await recordBase(target, repo, stored, `create-backend-starter ${to.version} output for ${JSON.stringify(to.answers)}`);
    if (base.source !== 'ref') reporter.info(`Recorded the generated output in ${repo.ref} as the base for the next update.`);
  } else if (!repo && recordChanged) {
    result.notes.push(
      'not a git repository: the next update can only reproduce its base with this same generator version (see README, "Updating a project")',
    );
  }

  if (opts.commit && repo) {
    if (!result.ok) result.notes.push('not committed: resolve the conflicts first, then commit');
    else if (result.changes.length > 0) result.commit = await commitChanges(target, result, to.version);
  }
  return result;
}

function parseRecord(bytes: Buffer): { version: string; answers: Answers } {
  let parsed: { version?: unknown; answers?: Record<string, unknown>; generator?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UsageError(`${RECORD_FILE} is not valid JSON (${(err as Error).message}); restore it from git history`);
  }
  if (parsed.generator !== 'create-backend-starter' || typeof parsed.version !== 'string' || !parsed.answers) {
    throw new UsageError(`${RECORD_FILE} does not look like create-backend-starter's record; restore it from git history`);
  }
  const recorded = parsed.answers;
  const answers: Record<string, unknown> = {};
  // Every answer the record holds, validated; one it predates takes its default.
  for (const o of options) {
    if (!o.answer || o.key === 'directory' || o.key === 'install') continue;
    try {
      answers[o.key] = recorded[o.key] === undefined ? defaultFor(o, answers) : validateValue(o, recorded[o.key], answers);
    } catch (err) {
      throw new UsageError(`${RECORD_FILE} records an invalid ${o.key}: ${(err as Error).message}`);
    }
  }
  return { version: parsed.version, answers: answers as unknown as Answers };
}

/** The recorded answers with the given ones applied; the schema validates every value. */
function nextAnswers(recorded: Answers, opts: UpdateOptions): Answers {
  const out: Answers = { ...recorded };
  const given = opts as Partial<Record<string, unknown>>;
  const known = new Set<string>([...updatableAnswers, 'directory', 'dryRun', 'force', 'commit', 'json']);
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new UsageError(`update does not take the option ${JSON.stringify(key)}`);
  }
  const was = recorded as unknown as Record<string, unknown>;
  for (const key of updatableAnswers) {
    if (given[key] === undefined) continue;
    const value = validateValue(optionByKey(key), given[key], was);
    if (FIXED[key] && value !== was[key]) {
      throw new UsageError(
        `update cannot change the ${FIXED[key]} (${String(was[key])} → ${String(value)}): ` +
          `that rewrites the project rather than updating it. Generate a new project with create-backend-starter ` +
          `--${key} ${String(value)} and move your code across.`,
      );
    }
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

async function assertSafeToWrite(target: string, repo: Repo | null, force: boolean): Promise<void> {
  if (force) return;
  if (!repo) {
    throw new UsageError(
      `${target} is not in a git repository, so update could neither check for unsaved work nor be undone. ` +
        'Back it up (or git init && git add -A && git commit), then run again with --force.',
    );
  }
  // `.` limits the check to this project when it lives inside a larger repository.
  const status = await runGit(target, ['status', '--porcelain', '-z', '--untracked-files=all', '--', '.']);
  if (status.code !== 0) throw new UpdateError(`git status failed in ${target}: ${status.stderr.trim()}`);
  const files = status.stdout.toString('utf8').split('\0').filter((e) => /^.. /.test(e)).map((e) => e.slice(3));
  if (files.length > 0) {
    throw new UsageError(
      `uncommitted changes in ${target} (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}): ` +
        'commit or stash them first (git stash -u), so the update can be reviewed and undone; or pass --force.',
    );
  }
}

async function recoverBase(
  target: string,
  repo: Repo | null,
  record: string,
  from: { version: string; answers: Answers },
): Promise<{ source: BaseSource; tree: Tree }> {
  if (repo) {
    const stored = await findStoredBase(target, repo, record);
    if (stored) return stored;
  }
  if (from.version === generatorVersion) {
    // Deterministic output is a tested promise (test/generate): same answers and version,
    // same bytes, except `.env`, which is never merged.
    const files = await render(from.answers, new Map());
    return { source: 'reproduced', tree: new Map(files.filter((f) => !f.secret).map((f) => [f.path, { content: f.content, mode: f.mode ?? 0o644 }])) };
  }
  const ref = repo?.ref ?? 'refs/backend-starter/base';
  throw new UpdateError(
    `cannot find what create-backend-starter ${from.version} generated for this project, so there is no base to merge against ` +
      `(${repo ? `no ${ref} and no "Initial commit from create-backend-starter"` : 'not a git repository'}). ` +
      `If the project came from a remote, fetch the base: git fetch origin '+refs/backend-starter/*:refs/backend-starter/*'. ` +
      `Otherwise run create-backend-starter@${from.version} update once (it reproduces and records the base), then this version's update.`,
  );
}

function secretPathsOf(answers: Answers): string[] {
  return planOf(answers, new Map()).files.filter((f) => f.source === 'content' && f.secret).map((f) => f.path);
}

/** Secret values already in `.env`, so derived variables appended to it match them. */
async function readEnv(target: string, secretPaths: string[]): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const p of secretPaths) {
    const text = await readFile(path.join(target, p), 'utf8').catch(() => '');
    for (const [k, v] of envValues(text)) values.set(k, v);
  }
  return values;
}

function planOf(answers: Answers, existing: Map<string, string>) {
  const secrets = Object.fromEntries(secretNames(databases[answers.db]).map((n) => [n, existing.get(n) || randomSecret()]));
  return buildPlan(answers, { generatorVersion, secrets });
}

async function render(answers: Answers, existingSecrets: Map<string, string>): Promise<RenderedFile[]> {
  return renderPlan(planOf(answers, existingSecrets), templatesDir);
}

async function readWorkingFile(target: string, p: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path.join(target, p));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') throw new UpdateError(`${p} is a directory of yours where the generator writes a file; rename it and run again`);
    throw err;
  }
}

/**
 * The mode for a file we replace: ours (a script the new version makes executable), unless
 * the user changed the executable bit from what the base had, which then stays theirs.
 */
async function nextMode(target: string, p: string, baseMode: number | undefined, mode: number): Promise<number> {
  const current = await stat(path.join(target, p)).then((s) => s.mode & 0o777, () => undefined);
  if (current === undefined || baseMode === undefined) return mode;
  return (current & 0o111) === (baseMode & 0o111) ? mode : current;
}

/** Each file replaced in one rename; without a given mode, the file keeps its own. */
async function writeAtomically(target: string, p: string, content: Buffer, mode?: number): Promise<void> {
  const dest = path.join(target, p);
  await mkdir(path.dirname(dest), { recursive: true });
  const existingMode = await stat(dest).then((s) => s.mode & 0o777, () => undefined);
  const tmp = `${dest}.cbs-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, content);
  await chmod(tmp, mode ?? existingMode ?? 0o644);
  await rename(tmp, dest);
}

async function removeAndPrune(target: string, p: string): Promise<void> {
  await rm(path.join(target, p), { force: true });
  for (let dir = path.dirname(path.join(target, p)); dir !== target && dir.startsWith(target); dir = path.dirname(dir)) {
    if ((await readdir(dir)).length > 0) break;
    await rmdir(dir);
  }
}

async function commitChanges(target: string, result: UpdateResult, version: string): Promise<string> {
  const paths = result.changes.map((c) => c.path);
  // .env is ignored by the generated .gitignore; `add -A` of the rest records removals too.
  if (paths.length > 0) await git(target, ['add', '-A', '--', ...paths]);
  const r = await runGit(target, ['commit', '--quiet', '--message', `Update to create-backend-starter ${version}`, '--', ...paths]);
  if (r.code !== 0) {
    throw new UpdateError(
      `the update was applied but not committed: ${r.stderr.trim().split('\n')[0] ?? 'git commit failed'}. Review it and commit yourself.`,
    );
  }
  return git(target, ['rev-parse', 'HEAD']);
}
