/**
 * Child processes for tests: services that must never outlive the test run, and
 * commands that must never hang it.
 *
 * Everything is spawned detached, i.e. as the leader of its own process group, because
 * the things we start are often wrappers (`make start`, `npm start`, `bundle exec`) whose
 * real server is a grandchild; signalling the group is the only way to reach it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';

export type Env = Record<string, string | undefined>;

export interface ServiceOptions {
  cwd: string;
  /**
   * Merged over process.env; a key set to `undefined` is removed, so a test can keep
   * e.g. the developer's own DATABASE_URL away from the service under test.
   */
  env?: Env;
  /** Also append everything the service prints to this file (kept after the run). */
  logFile?: string;
}

export interface StopResult {
  /**
   * The whole process group ended within the timeout after our signal, without needing
   * SIGKILL (or, if it had already ended before stop(), it had exited 0).
   *
   * This deliberately does not require exit code 0: wrappers never pass the server's own
   * status through (GNU make re-raises SIGTERM on itself after its child exits, or exits 2
   * with "wait: No child processes" when its shell child dies first). To check "exits 0
   * on SIGTERM", start the server command itself and look at `code`.
   */
  exitedCleanly: boolean;
  /** Exit code and signal of the main process (the command given to startService). */
  code: number | null;
  signal: string | null;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Keep polling until one of these statuses arrives; by default any response will do. */
  expectStatus?: number[];
}

export interface Service {
  pid: number;
  /** Everything printed so far, stdout and stderr interleaved as it arrived. */
  output(): string;
  /** The last `lines` lines of output (default 200), for error messages. */
  tail(lines?: number): string;
  /** Exit code and signal once the main process has exited, else null. */
  exitStatus(): { code: number | null; signal: string | null } | null;
  /** Resolves when the process exits by itself (with its output complete); rejects after timeoutMs. */
  waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: string | null }>;
  waitForHttp(url: string, opts: WaitOptions): Promise<void>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<StopResult>;
}

export interface RunOptions {
  cwd: string;
  /** Merged over process.env; `undefined` removes a key. */
  env?: Env;
  timeoutMs: number;
  /** Written to the command's stdin (stdin is closed either way so nothing waits on a prompt). */
  input?: string;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const MAX_KEPT_CHARS = 8 * 1024 * 1024;
const DEFAULT_TAIL_LINES = 200;

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the OS assigned'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

// ---------------------------------------------------------------------------
// Process-group bookkeeping, so a failed or interrupted test leaves nothing behind.

const liveGroups = new Set<number>();
const liveServices = new Set<ServiceImpl>();
let cleanupInstalled = false;

/**
 * Whether any non-zombie process is left in the group. Zombies are skipped because an
 * orphaned grandchild is only reaped if PID 1 bothers to, which in containers it may not.
 */
function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalZeroSucceeds(pgid);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we were looking
    }
    // Fields after the parenthesised command name: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

function signalZeroSucceeds(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  // kill(-0) would signal our own group, i.e. the test runner.
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone: nothing to signal.
  }
}

function killAllGroupsNow(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  // 'exit' handlers must be synchronous, so this is a SIGKILL, not a graceful stop.
  process.on('exit', killAllGroupsNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllGroupsNow();
      // Only re-raise when nobody else (e.g. the test runner) handles the signal,
      // otherwise we would turn their graceful shutdown into an abrupt one.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Vitest copies Vite's `import.meta.env` into process.env, BASE_URL='/' among it. To a
 * generated project BASE_URL is where its functional tests find the service, so '/' would
 * send them nowhere: it is only passed on when a test sets it.
 */
function inheritedEnv(): Env {
  const { BASE_URL: _vite, ...inherited } = process.env;
  return inherited;
}

function spawnGroup(cmd: string, args: string[], cwd: string, env: Env | undefined, stdin: 'ignore' | 'pipe'): ChildProcess {
  installCleanup();
  const child = spawn(cmd, args, {
    cwd,
    env: { ...inheritedEnv(), ...env },
    detached: true,
    stdio: [stdin, 'pipe', 'pipe'],
  });
  // Decoding per stream, not per chunk, so a UTF-8 character split across chunks survives.
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  if (child.pid !== undefined) liveGroups.add(child.pid);
  return child;
}

function describeCommand(cmd: string, args: string[]): string {
  return [cmd, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(' ');
}

function lastLines(text: string, lines: number): string {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all.slice(-lines).join('\n');
}

/** Keeps at most MAX_KEPT_CHARS, dropping the oldest output: the end is what explains a failure. */
class OutputBuffer {
  private text = '';
  private dropped = false;

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > MAX_KEPT_CHARS) {
      this.text = this.text.slice(this.text.length - MAX_KEPT_CHARS);
      this.dropped = true;
    }
  }

  toString(): string {
    return this.dropped ? `[earlier output dropped]\n${this.text}` : this.text;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or undefined after `ms`; the timer is cleared so it cannot hold the test process open. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------
// Long-running services.

class ServiceImpl implements Service {
  readonly pid: number;
  private readonly buffer = new OutputBuffer();
  private readonly log: WriteStream | undefined;
  private exit: { code: number | null; signal: string | null } | null = null;
  private readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly closed: Promise<void>;
  private stopping: Promise<StopResult> | undefined;
  private readonly description: string;

  constructor(private readonly child: ChildProcess, description: string, logFile: string | undefined) {
    if (child.pid === undefined) throw new Error(`could not start ${description}`);
    this.pid = child.pid;
    this.description = description;
    this.log = logFile === undefined ? undefined : createWriteStream(logFile, { flags: 'a' });
    const record = (text: string): void => {
      this.buffer.append(text);
      this.log?.write(text);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // Exited by itself and took its group along: nothing left for stopAll or the exit hook.
        if (!groupAlive(this.pid)) {
          liveGroups.delete(this.pid);
          liveServices.delete(this);
        }
        resolve(this.exit);
      });
    });
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
  }

  /** After exit, output may still be in the pipes; wait for it, but not for a grandchild holding them. */
  private async settleOutput(): Promise<void> {
    await within(this.closed, 1000);
  }

  output(): string {
    return this.buffer.toString();
  }

  tail(lines = DEFAULT_TAIL_LINES): string {
    return lastLines(this.buffer.toString(), lines);
  }

  exitStatus(): { code: number | null; signal: string | null } | null {
    return this.exit;
  }

  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: string | null }> {
    const exit = await within(this.exited, timeoutMs);
    if (exit === undefined) {
      throw new Error(`${this.description} was still running after ${timeoutMs} ms; its output ended with:\n${this.tail(60)}`);
    }
    await this.settleOutput();
    return exit;
  }

  async waitForHttp(url: string, opts: WaitOptions): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    let lastOutcome = 'no attempt finished';
    while (this.exit === null) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        // 5 s per attempt: a health check may itself wait up to its 2 s database bound, and
        // a loaded machine adds to that; a shorter abort would never see the answer.
        const response = await fetch(url, { signal: AbortSignal.timeout(Math.min(5000, remaining)) });
        await response.body?.cancel();
        if (opts.expectStatus === undefined || opts.expectStatus.includes(response.status)) return;
        lastOutcome = `last response was HTTP ${response.status}, waiting for ${opts.expectStatus.join(' or ')}`;
      } catch (error) {
        lastOutcome = `last attempt failed: ${describeFetchError(error)}`;
      }
      await within(this.exited, 100);
    }
    if (this.exit !== null) {
      await this.settleOutput();
      throw new Error(
        `${this.description} exited (code ${this.exit.code}, signal ${this.exit.signal}) before ${url} answered.\n` +
          `Its output ended with:\n${this.tail(60)}`,
      );
    }
    throw new Error(
      `${url} did not answer as expected within ${opts.timeoutMs} ms (${lastOutcome}). ` +
        `${this.description} is still running; its output ended with:\n${this.tail(60)}`,
    );
  }

  stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<StopResult> {
    this.stopping ??= this.doStop(signal, timeoutMs);
    return this.stopping;
  }

  private async doStop(signal: NodeJS.Signals, timeoutMs: number): Promise<StopResult> {
    const deadline = Date.now() + timeoutMs;
    const endedBefore = this.exit !== null;
    if (!endedBefore) signalGroup(this.pid, signal);
    // Wait for the main process first, then for stragglers in its group: a wrapper like
    // make may exit while the server it started is still finishing requests.
    await within(this.exited, timeoutMs);
    while (groupAlive(this.pid) && Date.now() < deadline) await delay(50);
    let killed = false;
    if (this.exit === null || groupAlive(this.pid)) {
      killed = true;
      signalGroup(this.pid, 'SIGKILL');
      await within(this.exited, 5000);
    }
    liveGroups.delete(this.pid);
    liveServices.delete(this);
    await this.settleOutput();
    await this.closeLog();
    const exit = this.exit ?? { code: null, signal: 'SIGKILL' };
    return { exitedCleanly: !killed && (!endedBefore || exit.code === 0), code: exit.code, signal: exit.signal };
  }

  private closeLog(): Promise<void> {
    const log = this.log;
    if (log === undefined) return Promise.resolve();
    return new Promise((resolve) => log.end(resolve));
  }
}

/**
 * Starts a long-running process in its own process group. Call `stop()` (or `stopAll()`
 * in an afterAll hook); if the test process exits first, the group is SIGKILLed.
 */
export function startService(cmd: string, args: string[], opts: ServiceOptions): Service {
  const child = spawnGroup(cmd, args, opts.cwd, opts.env, 'ignore');
  const description = `\`${describeCommand(cmd, args)}\` (in ${opts.cwd})`;
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  if (child.pid === undefined) {
    // spawn reports ENOENT and friends asynchronously, but pid is already undefined here.
    throw new Error(`could not start ${description}: ${spawnError?.message ?? 'spawn failed'}; is \`${cmd}\` installed and on PATH?`);
  }
  const service = new ServiceImpl(child, description, opts.logFile);
  liveServices.add(service);
  return service;
}

/** Gracefully stops every service still running; meant for afterAll hooks. */
export async function stopAll(timeoutMs = 10_000): Promise<StopResult[]> {
  return Promise.all([...liveServices].map((service) => service.stop('SIGTERM', timeoutMs)));
}

// ---------------------------------------------------------------------------
// Commands that run to completion.

/**
 * Runs a command to completion; never hangs: on timeout the whole group is killed.
 * Background processes the command leaves behind are neither waited for nor killed
 * (a setup script may start a database on purpose); use startService for servers.
 */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(cmd, args, opts.cwd, opts.env, 'pipe');
    const stdout = new OutputBuffer();
    const stderr = new OutputBuffer();
    child.stdout?.on('data', (text: string) => stdout.append(text));
    child.stderr?.on('data', (text: string) => stderr.append(text));
    child.stdin?.on('error', () => {
      // The command may exit without reading its stdin; that is not our failure.
    });
    child.stdin?.end(opts.input ?? '');

    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // SIGTERM first so tools get a chance to clean up, then no more chances.
      const pgid = child.pid;
      if (pgid === undefined) return;
      signalGroup(pgid, 'SIGTERM');
      setTimeout(() => signalGroup(pgid, 'SIGKILL'), 2000).unref();
    }, opts.timeoutMs);

    const finish = (code: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolve({ code, signal, stdout: stdout.toString(), stderr: stderr.toString(), timedOut });
    };

    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      reject(new Error(`could not run \`${describeCommand(cmd, args)}\` in ${opts.cwd}: ${error.message}; is \`${cmd}\` installed and on PATH?`));
    });
    child.once('exit', (code, signal) => {
      // 'close' waits for stdio to close, which a background grandchild holding the
      // pipes would delay forever; give it a moment, then stop listening.
      const grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 2000);
      child.once('close', () => {
        clearTimeout(grace);
        finish(code, signal);
      });
    });
  });
}

/** Like run(), but throws (with the command, exit status and the end of its output) unless it exits 0. */
export async function runOk(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const result = await run(cmd, args, opts);
  if (result.code === 0 && !result.timedOut) return result;
  const status = result.timedOut
    ? `timed out after ${opts.timeoutMs} ms and was killed`
    : result.code === null
      ? `was killed by ${result.signal}`
      : `exited with code ${result.code}`;
  const section = (name: string, text: string): string =>
    text.trim() === '' ? `--- ${name}: (empty)` : `--- ${name} (last 50 lines):\n${lastLines(text, 50)}`;
  throw new Error(
    `\`${describeCommand(cmd, args)}\` (in ${opts.cwd}) ${status}.\n` +
      `${section('stdout', result.stdout)}\n${section('stderr', result.stderr)}`,
  );
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message} (${code ?? cause.message})`;
  }
  return error.message;
}
