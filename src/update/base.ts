import { createHash } from 'node:crypto';
import { git, runGit } from './git-run.js';

/**
 * Where the merge base comes from. Why this design (README "Updating a project" says the same):
 *
 * - The base must be exactly what the generator produced for the recorded answers and
 *   version, and it must be there offline. Reproducing it needs that version's templates,
 *   which only the network (npm) has once the generator moved on; so the base is *stored*,
 *   in the one content-addressed store every generated project already has: git.
 * - `refs/backend-starter/base` points at a commit whose tree is the pristine generated
 *   output (never `.env`). The generator points it at its own first commit; every `update`
 *   adds a commit on top with the new output. A ref keeps its objects alive through
 *   rebases, squashes and `git gc` (cruft's "repository lacks the necessary blob" comes
 *   from recording a bare commit id instead). Its first-parent chain is the history of
 *   bases, so an update that was thrown away (`git checkout .`) still finds the older base
 *   whose `.backend-starter.json` matches the working tree's.
 * - A clone does not fetch that ref by default, so the generator's own first commit
 *   ("Initial commit from create-backend-starter", a root commit, never amended or
 *   rebased) is the fallback.
 * - Without either (a `--no-git` project, a squashed clone) the base is reproduced by
 *   rendering the recorded answers, which is exact only when the recorded version is the
 *   running one: enough to change answers (`--ci both`), not to cross versions. Then
 *   update refuses and says how to recover, rather than merging against a guess.
 */
export type BaseSource = 'ref' | 'initial-commit' | 'reproduced';

export interface TreeFile {
  content: Buffer;
  mode: number;
}
export type Tree = Map<string, TreeFile>;

export const RECORD_FILE = '.backend-starter.json';
export const INITIAL_COMMIT_MESSAGE = 'Initial commit from create-backend-starter';

export interface Repo {
  /** The project's path inside its repository ('' when it is the repository's root). */
  prefix: string;
  ref: string;
  hasHead: boolean;
}

/** The git repository the project lives in, or null when it is not in one. */
export async function findRepo(dir: string): Promise<Repo | null> {
  const r = await runGit(dir, ['rev-parse', '--show-prefix']);
  if (r.code !== 0) return null;
  const prefix = r.stdout.toString('utf8').trim();
  const head = await runGit(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  return { prefix, ref: baseRef(prefix), hasHead: head.code === 0 };
}

/** One base ref per project, so a project nested in a larger repository has its own. */
export function baseRef(prefix: string): string {
  if (prefix === '') return 'refs/backend-starter/base';
  return `refs/backend-starter/base-${createHash('sha1').update(prefix).digest('hex').slice(0, 12)}`;
}

/** Called by the generator right after its first commit: that commit's tree is the base. */
export async function recordGeneratedBase(dir: string): Promise<void> {
  await git(dir, ['update-ref', baseRef(''), 'HEAD']);
}

/** The answers record, parsed and re-serialised with sorted keys, for comparison. */
export function canonicalRecord(bytes: Buffer | undefined): string | null {
  if (!bytes) return null;
  try {
    return JSON.stringify(sortKeys(JSON.parse(bytes.toString('utf8'))));
  } catch {
    return null;
  }
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  }
  return v;
}

/**
 * Find a stored base whose record equals `record` (the working tree's): first along the
 * base ref's first-parent chain, then among the repository's root commits made by the
 * generator. Returns null when neither has it.
 */
export async function findStoredBase(
  dir: string,
  repo: Repo,
  record: string,
): Promise<{ source: BaseSource; commit: string; tree: Tree } | null> {
  const candidates: Array<{ source: BaseSource; commit: string }> = [];
  const chain = await runGit(dir, ['rev-list', '--first-parent', repo.ref, '--']);
  if (chain.code === 0) {
    for (const c of lines(chain.stdout)) candidates.push({ source: 'ref', commit: c });
  }
  if (repo.prefix === '' && repo.hasHead) {
    // An amended or rebased first commit may hold the user's edits, which would then pass
    // for generated lines and be overwritten: rewriting moves the committer date away from
    // the author date, so only a commit whose two dates agree is taken as the generator's.
    const roots = await runGit(dir, ['log', '--max-parents=0', '--format=%H %at %ct %s', 'HEAD', '--']);
    for (const line of lines(roots.stdout)) {
      const [commit, authored, committed, ...subject] = line.split(' ');
      if (commit && authored === committed && subject.join(' ') === INITIAL_COMMIT_MESSAGE) {
        candidates.push({ source: 'initial-commit', commit });
      }
    }
  }
  if (candidates.length === 0) return null;
  const records = await catFiles(dir, candidates.map((c) => `${c.commit}:${RECORD_FILE}`));
  const hit = candidates.find((_, i) => canonicalRecord(records[i]) === record);
  if (!hit) return null;
  return { ...hit, tree: await readTree(dir, hit.commit) };
}

/** Every file of a commit's tree (regular files and executables; nothing else is generated). */
export async function readTree(dir: string, commit: string): Promise<Tree> {
  const listing = await runGit(dir, ['ls-tree', '-r', '-z', '--full-tree', commit]);
  if (listing.code !== 0) throw new Error(`cannot read the base commit ${commit}: ${listing.stderr.trim()}`);
  const entries: Array<{ path: string; mode: number; sha: string }> = [];
  for (const entry of listing.stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (m) entries.push({ mode: m[1] === '100755' ? 0o755 : 0o644, sha: m[2]!, path: m[3]! });
  }
  const blobs = await catFiles(dir, entries.map((e) => e.sha));
  const tree: Tree = new Map();
  entries.forEach((e, i) => tree.set(e.path, { content: blobs[i] ?? Buffer.alloc(0), mode: e.mode }));
  return tree;
}

/** Read many objects in one `git cat-file --batch`; a missing one comes back undefined. */
async function catFiles(dir: string, specs: string[]): Promise<Array<Buffer | undefined>> {
  if (specs.length === 0) return [];
  const r = await runGit(dir, ['cat-file', '--batch'], specs.join('\n') + '\n');
  if (r.code !== 0) throw new Error(`git cat-file failed: ${r.stderr.trim()}`);
  const out: Array<Buffer | undefined> = [];
  let at = 0;
  for (let i = 0; i < specs.length; i++) {
    const eol = r.stdout.indexOf(0x0a, at);
    const header = r.stdout.subarray(at, eol).toString('utf8');
    at = eol + 1;
    const m = /^[0-9a-f]+ \w+ (\d+)$/.exec(header);
    if (!m) {
      out.push(undefined); // "<spec> missing"
      continue;
    }
    const size = Number(m[1]);
    out.push(r.stdout.subarray(at, at + size));
    at += size + 1;
  }
  return out;
}

/**
 * Store `files` as the next base commit on the project's base ref, in one
 * `git fast-import`: blobs, tree, commit and ref, with no index or working tree touched
 * and no git identity needed.
 */
export async function recordBase(dir: string, repo: Repo, files: Tree, message: string): Promise<string> {
  const parent = await runGit(dir, ['rev-parse', '--verify', '--quiet', `${repo.ref}^{commit}`]);
  const chunks: Buffer[] = [];
  const text = (s: string) => chunks.push(Buffer.from(s, 'utf8'));
  const data = (b: Buffer) => {
    text(`data ${b.length}\n`);
    chunks.push(b);
    text('\n');
  };
  text(`commit ${repo.ref}\n`);
  text(`committer create-backend-starter <create-backend-starter@localhost> ${Math.floor(Date.now() / 1000)} +0000\n`);
  data(Buffer.from(message, 'utf8'));
  if (parent.code === 0) text(`from ${parent.stdout.toString('utf8').trim()}\n`);
  text('deleteall\n');
  for (const [p, f] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (/[\n"]/.test(p)) throw new Error(`cannot store the path ${JSON.stringify(p)} in the base`);
    text(`M ${f.mode & 0o111 ? '100755' : '100644'} inline ${p}\n`);
    data(f.content);
  }
  text('done\n');
  await git(dir, ['fast-import', '--quiet', '--done'], Buffer.concat(chunks));
  return git(dir, ['rev-parse', repo.ref]);
}

function lines(b: Buffer): string[] {
  return b.toString('utf8').split('\n').filter(Boolean);
}
