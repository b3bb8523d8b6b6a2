/**
 * Ruby projects run inside the Debian 13 root (debian13.ts) on Debian 13's Ruby and its
 * packaged gems: Ruby 3.3, Sinatra 4.1, Rack 3.1, Puma 6.6, rack-test 2.2, RSpec 3.13,
 * Sequel 5.63, pg 1.5, mysql2 0.5, mongo 2.5 (the output lists the exact releases). The
 * real `make install` is `bundle install` of what the Gemfile pins (Sinatra 4.2, Rack 3.2,
 * Puma 8, … on Ruby 4.0, from `.ruby-version`): it needs RubyGems, which is not reachable
 * here, and the pinned Ruby, which Debian does not package. It runs when the root's Ruby is
 * the pinned one; otherwise every target runs its tool from Debian's gems (`BUNDLE_EXEC=`).
 *
 * Two stand-ins have defects of their own, which the suite patches through RUBYOPT (the
 * generated code never sees the patches):
 * - Puma 6.6's SIGTERM stop could hang in IO#close on its notify pipe, or die with "No live
 *   threads left", whenever the app had a thread of its own; and it let a declared or chunked
 *   body past http_content_length_limit go unanswered or be read whole: PUMA_STAND_IN_PATCH,
 *   every project (details there).
 * - Debian 13's mongo gem (2.5.1, from 2018) calls URI.decode, which Ruby 3.0 removed, for
 *   every connection string, so it cannot connect at all on Debian 13's own Ruby; its cursor
 *   finalizer takes mutexes, which raises when GC runs it inside a signal trap; and it reports
 *   a socket read timeout as a bare Timeout::Error; and before retrying a read it rescans the
 *   cluster synchronously under a mutex, which queued concurrent reads behind each other while
 *   the server hung. URI_DECODE_SHIM and CURSOR_FINALIZER_PATCH, MongoDB projects only.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rubocopConfig } from '../../../src/languages/ruby.js';
import { ruby as pinned } from '../../../src/versions.js';
import { run } from '../../support/processes.js';
import { debian13Unavailable, ensureDebian13Root, inRoot, installedVersions, PACKAGES } from './debian13.js';
import type { LocalRuntime } from './types.js';

/** What the generated projects require → the Debian package that provides it. */
const LIBRARIES: Record<string, string> = {
  'sinatra/base': 'ruby-sinatra',
  'rack/test': 'ruby-rack-test',
  'rspec/core': 'ruby-rspec',
  puma: 'puma',
  rake: 'rake',
  sequel: 'ruby-sequel',
  pg: 'ruby-pg',
  mysql2: 'ruby-mysql2',
  mongo: 'ruby-mongo',
};

/** Prints the Ruby version, then the libraries that fail to load, one per line. */
const PROBE = `
puts RUBY_VERSION
ARGV.each do |lib|
  require lib
rescue LoadError, StandardError
  puts lib
end
`;

const URI_DECODE_SHIM = `# frozen_string_literal: true

# Debian 13's mongo gem 2.5.1 calls URI.decode (removed in Ruby 3.0) for every connection string.
require 'uri'
unless URI.respond_to?(:decode)
  def URI.decode(str)
    URI::DEFAULT_PARSER.unescape(str)
  end
end
`;

/**
 * The mongo gem 2.5.1 registers a finalizer on every cursor that takes two mutexes (the cursor
 * reaper's, and the session pool's for an implicit session). GC runs finalizers wherever it
 * happens to run, also inside a signal handler such as Puma's SIGTERM trap, where
 * Mutex#synchronize raises "can't be called from trap context"; Puma's stop then intermittently
 * hung. Later releases (the pinned 2.23 among them) only enqueue from the finalizer. This does
 * the same for 2.5.1: the finalizer pushes the gem's own clean-up onto a Thread::Queue (safe in a
 * trap), and one background thread runs it, taking the mutexes in an ordinary thread.
 * It also makes 2.5.1 report a read past socket_timeout as Mongo::Error::SocketTimeoutError,
 * as later releases do, rather than a bare Timeout::Error.
 */
export const CURSOR_FINALIZER_PATCH = `# frozen_string_literal: true

require 'mongo'

if Mongo::VERSION == '2.5.1'
  module CursorFinalizerOutsideTraps
    QUEUE = Thread::Queue.new
    WORKER = Mutex.new

    def self.start
      WORKER.synchronize do
        @worker ||= Thread.new do
          loop do
            QUEUE.pop.call
          rescue StandardError => e
            warn "mongo cursor clean-up failed: #{e.class}: #{e.message}"
          end
        end
      end
    end

    # Called from Cursor#initialize (an ordinary thread); the proc it returns may run in a trap.
    def finalize(*)
      cleanup = super
      CursorFinalizerOutsideTraps.start
      proc { QUEUE << cleanup }
    end
  end
  Mongo::Cursor.singleton_class.prepend(CursorFinalizerOutsideTraps)

  # 2.5.1 reports a socket read past socket_timeout as a bare Timeout::Error; later releases
  # (2.23 too) raise Mongo::Error::SocketTimeoutError, which is what the generated code rescues.
  module SocketTimeoutAsDriverError
    private

    def read_from_socket(*)
      super
    rescue Timeout::Error => e
      raise Mongo::Error::SocketTimeoutError, e.message
    end
  end
  Mongo::Socket.prepend(SocketTimeoutAsDriverError)

  # Before its one read retry, 2.5.1 rescans the cluster synchronously, under each server
  # monitor's mutex (Cluster#scan! → Monitor#ismaster): with the server hung, each retrying
  # request waited behind the others' scans, one socket timeout each, so 8 concurrent reads
  # took 8 to more than 30 s instead of two timeouts each. Later releases (2.23 too) retry by
  # selecting a server again and leave the checks to the background monitor; so does this.
  # The same method as 2.5.1's, without that scan.
  module ReadRetryWithoutSynchronousScan
    def read_with_retry
      attempt = 0
      begin
        attempt += 1
        yield
      rescue Mongo::Error::SocketError, Mongo::Error::SocketTimeoutError => e
        raise(e) if attempt > cluster.max_read_retries
        log_retry(e)
        retry
      rescue Mongo::Error::OperationFailure => e
        raise e unless cluster.sharded? && e.retryable?
        raise(e) if attempt > cluster.max_read_retries
        log_retry(e)
        sleep(cluster.read_retry_interval)
        retry
      end
    end
  end
  Mongo::Retryable.prepend(ReadRetryWithoutSynchronousScan)
end
`;

/**
 * Puma 6.6 (Debian 13's, standing in for the pinned Puma 8.0.2) has two defects the suite
 * removes, in `puma` processes only:
 * - It wakes its server thread by writing to a pipe from inside the SIGTERM trap; the server
 *   thread, woken, closes that pipe, and its IO#close could wait forever for the trap's write
 *   (puma/puma#3677). Stops intermittently hung, or died with "No live threads left.
 *   Deadlock?" and exit 1, whenever the app had a thread of its own (Timeout's, the MongoDB
 *   driver's): 1 stop in 6 to 12 here. Upstream's fix (puma/puma#3940: IO#syswrite, on Puma's
 *   main branch, in no release yet, so the pinned Puma 8.0.2 still has the race) still failed
 *   1 stop in 12 here; writing from a thread of its own, so the trap never touches the pipe,
 *   failed none in 30.
 * - It checks http_content_length_limit only when more body bytes arrive, and not per chunk:
 *   a declared Content-Length over the limit with no body following got no answer at all, and a
 *   chunked body was read to its end. Puma 8.0.2 refuses both as soon as it knows (setup_body,
 *   write_chunk); this does the same, and answers through Server#response_to_error as 8.0.2
 *   does (6.6 writes its 413 elsewhere, so the project's handler for that path never ran).
 * - Under load it closes kept-alive connections (Connection: close once every thread is
 *   busy), which Puma 8.0.2 no longer does; with a load generator that, like autocannon,
 *   writes its next request before it sees the close, that showed as 5-40% failed requests
 *   at 50 connections. The stand-in keeps connections alive as 8.0.2 does.
 */
export const PUMA_STAND_IN_PATCH = `# frozen_string_literal: true

if File.basename($PROGRAM_NAME) == 'puma'
  require 'puma'
  require 'puma/server'
  require 'puma/client'
  if Puma::Const::PUMA_VERSION == '6.6.0'
    module NotifyWithoutWriteLock
      private

      # From a thread of its own, so that the trap never holds the pipe the server thread closes.
      def notify_safely(message)
        notify = @notify
        Thread.new do
          notify.syswrite(message)
        rescue IOError, NoMethodError, Errno::EPIPE, Errno::EBADF
          nil # the server, in another thread, is already shutting down
        end
      end
    end
    Puma::Server.prepend(NotifyWithoutWriteLock)

    module BodyLimitFromHeaders
      # Raised from a chunk past the limit; caught where the body is being read.
      class Exceeded < StandardError; end

      private

      def setup_body
        length = @env[Puma::Const::CONTENT_LENGTH]
        if @http_content_length_limit && !@env[Puma::Const::TRANSFER_ENCODING2] &&
           length&.match?(/\\A\\d+\\z/) && length.to_i > @http_content_length_limit
          return refuse_body
        end

        super
      end

      def setup_chunked_body(*)
        super
      rescue Exceeded
        refuse_body
      end

      def read_chunked_body
        super
      rescue Exceeded
        refuse_body
      end

      def write_chunk(str)
        raise Exceeded if @http_content_length_limit&.< @chunked_content_length + str.bytesize

        super
      end

      def refuse_body
        @http_content_length_limit_exceeded = true
        @buffer = nil
        @tempfile&.close
        @body = Puma::Client::EmptyBody
        @env['HTTP_CONNECTION'] = 'close'
        set_ready
        true
      end
    end
    Puma::Client.prepend(BodyLimitFromHeaders)

    # Puma 8.0.2 answers a body over the limit through Server#response_to_error (from
    # client_error, with status 413), which writes a plain-text "Payload Too Large" for that
    # status without asking lowlevel_error_handler; 6.6 writes its 413 in handle_request.
    # Take 8.0.2's path and answer as 8.0.2 does, so what the project does about it is
    # exercised here as on the pinned Puma.
    module ContentTooLargeAsPuma8
      def handle_request(client, requests)
        return super unless client.http_content_length_limit_exceeded
        return false if closed_socket?(client.io)

        response_to_error(client, requests, Puma::HttpParserError.new('Payload Too Large'), 413)
      end

      private

      def response_to_error(client, requests, err, status_code)
        return super unless status_code == 413

        prepare_response(413, {}, ['Payload Too Large'], requests, client)
      end
    end
    Puma::Server.prepend(ContentTooLargeAsPuma8)

    # Puma 6.6 answers with Connection: close once every thread is busy and a connection has
    # had 10 requests (max_fast_inline); Puma 8.0.2 has no such rule and keeps a connection
    # alive for up to max_keep_alive (999) requests. Keep 8.0.2's behaviour under load.
    module KeepAliveAsPuma8
      def initialize(*)
        super
        @max_fast_inline = Float::INFINITY
      end
    end
    Puma::Server.prepend(KeepAliveAsPuma8)
  end
end
`;

/** Host directory bound into the root for the suite's own files (the shim, lint probes). */
const SUPPORT_DIR = path.join(os.tmpdir(), 'create-backend-starter-ruby-support');
const SHIM = path.join(SUPPORT_DIR, 'uri_decode.rb');
const PATCH = path.join(SUPPORT_DIR, 'mongo_cursor_finalizer.rb');
const PUMA_PATCH = path.join(SUPPORT_DIR, 'puma_stand_in.rb');

let rootPath: string | undefined;
/** Whether the root's Ruby is the one `.ruby-version` pins, so `bundle install` could resolve. */
let pinnedRuby = false;

async function inside(command: string, args: string[], cwd: string, binds: string[]) {
  const w = inRoot(rootPath!, command, args, { cwd, binds });
  return run(w.command, w.args, { cwd: '/', timeoutMs: 120_000 });
}

async function isMongoProject(dir: string): Promise<boolean> {
  const gemfile = await readFile(path.join(dir, 'Gemfile'), 'utf8').catch(() => '');
  return /^\s*gem 'mongo'/m.test(gemfile);
}

export const runtime: LocalRuntime = {
  async unavailable() {
    const noRoot = await debian13Unavailable();
    if (noRoot) return noRoot;
    rootPath = await ensureDebian13Root();
    await mkdir(SUPPORT_DIR, { recursive: true });
    await writeFile(SHIM, URI_DECODE_SHIM);
    await writeFile(PATCH, CURSOR_FINALIZER_PATCH);
    await writeFile(PUMA_PATCH, PUMA_STAND_IN_PATCH);
    const probe = await inside('ruby', ['-e', PROBE, ...Object.keys(LIBRARIES)], SUPPORT_DIR, [SUPPORT_DIR]);
    if (probe.code !== 0) return `ruby in the Debian 13 root cannot run the library check: ${probe.stderr.trim().split('\n').at(-1)}`;
    const [version = '', ...missing] = probe.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (missing.length > 0) {
      const packages = [...new Set(missing.map((m) => LIBRARIES[m] ?? m))].join(' ');
      return `the Debian 13 root cannot require ${missing.join(', ')} (add ${packages} to PACKAGES.ruby in test/e2e/runtimes/debian13.ts)`;
    }
    pinnedRuby = version === pinned.version;
    // ruby-rack and ruby-bson come in as dependencies; they are what Rack and BSON resolve to.
    const ran = await installedVersions(rootPath, [...PACKAGES.ruby, 'ruby-rack', 'ruby-bson']);
    console.log(
      pinnedRuby
        ? `Ruby projects: \`make install\` (bundle install of the Gemfile) on Ruby ${version} in the Debian 13 root`
        : `Ruby projects run in the Debian 13 root on Debian 13's gems, standing in for the Gemfile's pins ` +
            `(RubyGems is not reachable here and .ruby-version pins Ruby ${pinned.version}, which Debian does not package): ` +
            `Ruby ${version}; ${ran}. The suite patches two stand-ins (RUBYOPT, never the generated code): ` +
            "Puma 6.6, whose SIGTERM stop could hang in IO#close on its notify pipe (puma/puma#3677, still in the pinned " +
            'Puma 8.0.2), writes to that pipe from a thread instead of from the signal trap, and refuses a body past its ' +
            'limit from the Content-Length header or the chunk that crosses it, answered through Server#response_to_error, and keeps connections alive under load, as Puma 8.0.2 does; for MongoDB projects, the mongo gem 2.5.1 gets URI.decode, which Ruby 3.0 removed and 2.5.1 calls for ' +
            'every connection string, its cursor finalizer (which takes mutexes, and so raised inside ' +
            "Puma's SIGTERM trap) hands its clean-up to a background thread, and a socket read timeout is reported as " +
            'Mongo::Error::SocketTimeoutError, and a read is retried without 2.5.1\'s synchronous cluster rescan under a mutex, as later releases do',
    );
    return null;
  },

  async lintUnavailable() {
    // Debian's RuboCop runs `make lint` only if it reads the generated config, written for the pinned one.
    const dir = await mkdtemp(path.join(SUPPORT_DIR, 'lint-'));
    try {
      await writeFile(path.join(dir, '.rubocop.yml'), rubocopConfig());
      await writeFile(path.join(dir, 'probe.rb'), '# frozen_string_literal: true\n\nputs :ok\n');
      const r = await inside('rubocop', ['--format', 'quiet', 'probe.rb'], dir, [SUPPORT_DIR]);
      if (r.code === 0) return null;
      const version = (await inside('rubocop', ['--version'], dir, [SUPPORT_DIR])).stdout.trim();
      const why = (r.stderr || r.stdout).trim().split('\n')[0];
      return `Debian 13's RuboCop ${version} cannot read .rubocop.yml, written for RuboCop ${pinned.gems.rubocop} and Ruby ${pinned.version}: ${why}`;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  // Stand-in: every target runs its tool from Debian's gems instead of `bundle exec`.
  get makeVars(): Record<string, string> {
    return pinnedRuby ? {} : { BUNDLE_EXEC: '' };
  },

  async env() {
    return {};
  },

  async install(dir, env) {
    if (!pinnedRuby) return; // Debian's gems, checked in unavailable(), are the stand-in.
    const w = await runtime.wrap!('make', ['--no-print-directory', 'install'], dir);
    const r = await run(w.command, w.args, { cwd: dir, env, timeoutMs: 10 * 60_000 });
    if (r.code !== 0) throw new Error(`make install failed:\n${r.stdout}${r.stderr}`);
  },

  async wrap(command, args, cwd) {
    if (!rootPath) throw new Error('the Debian 13 root is not ready: unavailable() runs first');
    // BASE_URL (Vitest sets BASE_URL=/ in its workers) is cleared by combinations.test.ts.
    // The patches are for the stand-in gems only; the pinned Puma and mongo need none.
    const patches = pinnedRuby ? [] : [PUMA_PATCH];
    if (await isMongoProject(cwd)) patches.push(SHIM, ...(pinnedRuby ? [] : [PATCH]));
    if (patches.length === 0) return inRoot(rootPath, command, args, { cwd, binds: [cwd] });
    const rubyopt = patches.map((p) => `-r${p}`).join(' ');
    return inRoot(rootPath, 'env', [`RUBYOPT=${rubyopt}`, command, ...args], { cwd, binds: [cwd, SUPPORT_DIR] });
  },
};
