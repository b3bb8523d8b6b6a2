/**
 * Ruby projects run inside the Debian 13 root (debian13.ts) on Debian 13's Ruby and its
 * packaged gems: Ruby 3.3, Sinatra 4.1, Rack 3.1, Puma 6.6, rack-test 2.2, RSpec 3.13,
 * Sequel 5.63, pg 1.5, mysql2 0.5, mongo 2.5 (the output lists the exact releases). The
 * real `make install` is `bundle install` of what the Gemfile pins (Sinatra 4.2, Rack 3.2,
 * Puma 8, … on Ruby 4.0, from `.ruby-version`): it needs RubyGems, which is not reachable
 * here, and the pinned Ruby, which Debian does not package. It runs when the root's Ruby is
 * the pinned one; otherwise every target runs its tool from Debian's gems (`BUNDLE_EXEC=`).
 *
 * One stand-in is broken by itself: Debian 13's mongo gem (2.5.1, from 2018) calls
 * URI.decode, which Ruby 3.0 removed, for every connection string, so it cannot connect at
 * all on Debian 13's own Ruby. For MongoDB projects only, the suite defines that method
 * (RUBYOPT); the generated code never sees it, and the pinned mongo 2.23 has no such call.
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

/** Host directory bound into the root for the suite's own files (the shim, lint probes). */
const SUPPORT_DIR = path.join(os.tmpdir(), 'create-backend-starter-ruby-support');
const SHIM = path.join(SUPPORT_DIR, 'uri_decode.rb');

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
            `Ruby ${version}; ${ran}`,
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

  standInLimit(db) {
    if (pinnedRuby || db !== 'mongo') return null;
    return (
      "Debian 13's mongo gem 2.5.1 (2018; the Gemfile pins 2.23) stands in here and intermittently " +
      "hangs Puma's SIGTERM stop on Ruby 3.3: its cursor finalizer takes a mutex when GC runs it " +
      'inside the signal trap (ThreadError: can\'t be called from trap context). Ruby × MongoDB ' +
      'passed the whole e2e path in most runs, but a stand-in that fails at random proves nothing ' +
      'either way, so it is not counted'
    );
  },

  async wrap(command, args, cwd) {
    if (!rootPath) throw new Error('the Debian 13 root is not ready: unavailable() runs first');
    // BASE_URL (Vitest sets BASE_URL=/ in its workers) is cleared by combinations.test.ts.
    if (!(await isMongoProject(cwd))) return inRoot(rootPath, command, args, { cwd, binds: [cwd] });
    return inRoot(rootPath, 'env', [`RUBYOPT=-r${SHIM}`, command, ...args], { cwd, binds: [cwd, SUPPORT_DIR] });
  },
};
