/**
 * A Debian 13 (trixie) root filesystem for running generated projects on current releases
 * where their own registry (RubyGems, Packagist) cannot be reached from here: Debian 13
 * packages the nearest releases (Ruby 3.3, PHP 8.4, Python 3.13, …).
 *
 * Built once with mmdebstrap and cached under /var/cache, keyed by the package list, so a
 * changed list builds a new root and an unchanged one is reused across runs (CI has 90
 * minutes in all; a build takes about 90 s). Concurrent builders (test workers, parallel
 * runs) serialise on a flock; a build goes to a temporary directory and is renamed into
 * place only when complete, so a half-built root is never used.
 *
 * Commands enter it through `inRoot`: a private mount namespace (`unshare --mount`) that
 * binds /proc, /dev and the project directories in at the same paths, then `chroot`. The
 * mounts vanish with the process, so nothing leaks, and every step `exec`s the next, so
 * the signals a test sends reach the command itself. Processes inside share the host's
 * network: they reach the host's database servers on 127.0.0.1 and the registries.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { run, runOk } from '../../support/processes.js';

/** What each language's projects need inside the root; each language edits its own entry. */
export const PACKAGES = {
  base: ['ca-certificates', 'make', 'git', 'procps'],
  ruby: ['ruby', 'ruby-sinatra', 'ruby-rack-test', 'ruby-rspec', 'puma', 'ruby-sequel', 'ruby-pg', 'ruby-mysql2', 'ruby-mongo', 'rake', 'rubocop'],
  php: [
    'php8.4-cli', 'php8.4-fpm', 'php8.4-pgsql', 'php8.4-mysql', 'php-mongodb', 'php8.4-mbstring', 'php8.4-xml',
    'phpunit', 'composer', 'php-symfony-http-foundation', 'php-symfony-routing', 'php-symfony-dotenv',
    'php-monolog', 'nginx',
  ],
  python: ['python3', 'python3-venv', 'python3-pip'],
} as const;

export const SUITE = 'trixie';
const MIRROR = 'http://deb.debian.org/debian';
const CACHE_DIR = process.env.CBS_DEBIAN13_CACHE || '/var/cache/create-backend-starter';
/** Inside the root, whatever PATH the host had. */
const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function packageList(): string[] {
  return [...new Set(Object.values(PACKAGES).flat())].sort();
}

/** The cached root's directory for the current package list. */
export function rootDir(): string {
  const key = createHash('sha256').update(`${SUITE}\n${packageList().join('\n')}`).digest('hex').slice(0, 12);
  return path.join(CACHE_DIR, `debian13-${key}`);
}

/** Why a Debian 13 root cannot be had here, or null. */
export async function debian13Unavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return `a Debian 13 root needs Linux (this is ${process.platform})`;
  if (existsSync(path.join(rootDir(), '.complete'))) return null;
  if (process.getuid?.() !== 0) return 'building the Debian 13 root needs root (mmdebstrap, chroot, mount)';
  for (const tool of ['mmdebstrap', 'unshare', 'chroot', 'flock']) {
    const found = await run('sh', ['-c', `command -v ${tool}`], { cwd: '/', timeoutMs: 10_000 });
    if (found.code !== 0) return `\`${tool}\` is not on PATH (apt-get install mmdebstrap util-linux coreutils)`;
  }
  return null;
}

let ensured: Promise<string> | undefined;

/** The root's path, building it first if this package list has none yet. */
export function ensureDebian13Root(): Promise<string> {
  ensured ??= (async () => {
    const root = rootDir();
    if (existsSync(path.join(root, '.complete'))) return root;
    await mkdir(CACHE_DIR, { recursive: true });
    const tmp = `${root}.tmp`;
    // Under the lock: another builder may have finished while we waited.
    const script = `
      set -eu
      [ -e "$1/.complete" ] && exit 0
      rm -rf "$2"
      mmdebstrap --quiet --variant=minbase --include="$3" ${SUITE} "$2" ${MIRROR}
      touch "$2/.complete"
      mv "$2" "$1"
    `;
    const started = Date.now();
    await runOk('flock', [path.join(CACHE_DIR, 'debian13.lock'), 'sh', '-c', script, 'sh', root, tmp, packageList().join(',')], {
      cwd: CACHE_DIR,
      timeoutMs: 20 * 60_000,
    });
    if (Date.now() - started > 5_000) console.log(`built the Debian 13 root ${root} in ${Math.round((Date.now() - started) / 1000)} s`);
    return root;
  })();
  return ensured;
}

export interface InRootOptions {
  /** Working directory inside the root (the same path as on the host, via `binds`). */
  cwd: string;
  /** Host directories mounted at the same path inside the root. */
  binds: string[];
}

const ENTER = `
set -eu
root=$1; cwd=$2; n=$3; shift 3
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
i=0
while [ "$i" -lt "$n" ]; do
  mkdir -p "$root$1"
  mount --bind "$1" "$root$1"
  shift; i=$((i + 1))
done
exec chroot "$root" /usr/bin/env PATH=${ROOT_PATH} /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@"
`;

/** `command args` run inside the root, as one process chain that `exec`s down to the command. */
export function inRoot(root: string, command: string, args: string[], opts: InRootOptions): { command: string; args: string[] } {
  return {
    command: 'unshare',
    args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', ENTER, 'sh', root, opts.cwd, String(opts.binds.length), ...opts.binds, command, ...args],
  };
}

/** `name version` for each package, as installed in the root: what the test output reports as "ran on". */
export async function installedVersions(root: string, packages: readonly string[]): Promise<string> {
  const result = await runOk('chroot', [root, 'dpkg-query', '-W', '-f=${Package} ${Version}\\n', ...packages], {
    cwd: '/',
    timeoutMs: 30_000,
  });
  return result.stdout.trim().split('\n').join(', ');
}
