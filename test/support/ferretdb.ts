/**
 * FerretDB 1.24: a MongoDB wire-protocol server with an SQLite backend, the only
 * MongoDB-compatible server that can be had here (no mongod in Debian, and the npm/PyPI
 * "memory servers" download binaries at run time). Runs against it are reported as
 * "MongoDB protocol via FerretDB 1.24", never as MongoDB.
 *
 * Built from source through the Go module proxy and cached. Not `go install …@v1.24.2`:
 * that binary panics at start-up, because the module as published lacks
 * build/version/version.txt, which FerretDB embeds and insists on when its main module is
 * FerretDB itself. So the module's source is copied out of the module cache, the file is
 * written with the release tag, and the copy is built.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, run, runOk, startService, type Service } from './processes.js';

export const FERRETDB_VERSION = 'v1.24.2';
export const FERRETDB_LABEL = `MongoDB protocol via FerretDB ${FERRETDB_VERSION.slice(1)}`;
const MODULE = 'github.com/FerretDB/FerretDB';
const CACHE_DIR = process.env.CBS_FERRETDB_CACHE || '/var/cache/create-backend-starter';
export const ferretdbBinary = path.join(CACHE_DIR, `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');

/** Builds the binary unless it is cached; serialised by a flock so parallel runs build once. */
export async function ensureFerretdb(): Promise<string> {
  if (existsSync(ferretdbBinary)) return ferretdbBinary;
  const go = await run('sh', ['-c', 'command -v go'], { cwd: '/', timeoutMs: 10_000 });
  if (go.code !== 0) throw new Error('`go` is not on PATH: FerretDB is built from the Go module proxy');
  await mkdir(path.dirname(ferretdbBinary), { recursive: true });
  const script = `
    set -eu
    [ -x "$1" ] && exit 0
    dir=$(go mod download -json "$2@$3" | sed -n 's/^[[:space:]]*"Dir": "\\(.*\\)",$/\\1/p')
    [ -n "$dir" ] || { echo "go mod download did not name a source directory" >&2; exit 1; }
    src=$(mktemp -d)
    trap 'rm -rf "$src"' EXIT
    cp -r "$dir/." "$src"
    chmod -R u+w "$src"
    echo "$3" > "$src/build/version/version.txt"
    (cd "$src" && go build -trimpath -o "$1.tmp" ./cmd/ferretdb)
    mv "$1.tmp" "$1"
  `;
  const started = Date.now();
  await runOk('flock', [`${ferretdbBinary}.lock`, 'sh', '-c', script, 'sh', ferretdbBinary, MODULE, FERRETDB_VERSION], {
    cwd: os.tmpdir(),
    // The module's own go.mod needs no network beyond the module proxy; GOFLAGS from the
    // environment (e.g. -mod=vendor) would break the build of a copied module.
    env: { GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    timeoutMs: 20 * 60_000,
  });
  console.log(`built FerretDB ${FERRETDB_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return ferretdbBinary;
}

export interface RunningFerretdb {
  url: string;
  stop(): Promise<void>;
}

/** A fresh server on a free 127.0.0.1 port with a fresh temporary data directory. */
export async function startFerretdb(): Promise<RunningFerretdb> {
  const binary = await ensureFerretdb();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cbs-ferretdb-'));
  const port = await freePort();
  const service: Service = startService(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    { cwd: dataDir, logFile: path.join(dataDir, 'ferretdb.log') },
  );
  const deadline = Date.now() + 30_000;
  while (!(await listening(port))) {
    const exited = service.exitStatus();
    if (exited || Date.now() > deadline) {
      await service.stop('SIGTERM', 5_000);
      throw new Error(`FerretDB did not start on 127.0.0.1:${port} (${JSON.stringify(exited)}):\n${service.tail(20)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    async stop() {
      await service.stop('SIGTERM', 10_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function listening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
