/**
 * Ruby projects run on Debian's interpreter and Debian's packaged gems. RubyGems is not
 * reachable here, so the real `make install` (`bundle install` of the pinned releases)
 * cannot run, and Bundler cannot stand in either: the Gemfile pins Sinatra 4 / Rack 3 /
 * Puma 8, which no lockfile resolves against Debian's Sinatra 3.0 / Rack 2.2 / Puma 5.6.
 * So every target runs its tool straight from the system gems (`BUNDLE_EXEC=`), which the
 * generated code is written to run on as well (also RSpec 3.12, rack-test 2.0, Sequel 5.63,
 * pg 1.4, mysql2 0.5, mongo 2.5).
 *
 * `/usr/bin/ruby` explicitly: a `ruby` first on PATH may be another interpreter (rbenv,
 * rvm) that does not see Debian's gems.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../../support/processes.js';
import type { LocalRuntime } from './types.js';

const RUBY = '/usr/bin/ruby';

/** What the generated project requires → the Debian package that provides it. */
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

/** The make targets run these through `ruby -S`, which looks them up on PATH. */
const COMMANDS: Record<string, string> = { make: 'make', rspec: 'ruby-rspec', puma: 'puma', rake: 'rake' };

/** Prints the libraries that fail to load, one per line. */
const PROBE = `
abort "Ruby 3.1 or newer is needed, this is #{RUBY_VERSION}" if Gem::Version.new(RUBY_VERSION) < Gem::Version.new('3.1')
ARGV.each do |lib|
  require lib
rescue LoadError, StandardError
  puts lib
end
`;

/**
 * Debian's mongo 2.5 parses connection strings with URI.decode, which Ruby 3.0 removed,
 * so it cannot open any URL naming a database; current releases of the gem (what the
 * Gemfile pins) do not need this. Loaded into every Ruby process of the suite through
 * RUBYOPT; it only defines the missing method.
 */
const URI_DECODE_SHIM = `# frozen_string_literal: true
require 'uri'
unless URI.respond_to?(:decode)
  def URI.decode(str)
    URI::DEFAULT_PARSER.unescape(str)
  end
end
`;

async function onPath(command: string): Promise<boolean> {
  const result = await run('sh', ['-c', `command -v ${command}`], { cwd: homedir(), timeoutMs: 10_000 });
  return result.code === 0;
}

export const runtime: LocalRuntime = {
  async lintUnavailable() {
    // Debian's RuboCop (1.39) is older than the Gemfile's, but reads the generated config.
    const found = await run('sh', ['-c', 'command -v rubocop'], { cwd: homedir(), timeoutMs: 10_000 });
    return found.code === 0 ? null : 'rubocop is not installed (apt-get install rubocop)';
  },
  async unavailable() {
    const aptLine = `apt-get install ruby ${[...new Set([...Object.values(LIBRARIES), ...Object.values(COMMANDS)])].join(' ')}`;
    if (!existsSync(RUBY)) return `${RUBY} does not exist (${aptLine})`;
    for (const [command, pkg] of Object.entries(COMMANDS)) {
      if (!(await onPath(command))) return `\`${command}\` is not on PATH (apt-get install ${pkg})`;
    }
    const probe = await run(RUBY, ['-e', PROBE, ...Object.keys(LIBRARIES)], { cwd: homedir(), timeoutMs: 60_000 });
    if (probe.code !== 0) return `${RUBY} cannot run the library check: ${probe.stderr.trim().split('\n').at(-1)}`;
    const missing = probe.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (missing.length > 0) {
      const packages = [...new Set(missing.map((m) => LIBRARIES[m] ?? m))].join(' ');
      return `${RUBY} cannot require ${missing.join(', ')} (apt-get install ${packages})`;
    }
    return null;
  },

  // Every target runs `$(RUBY) -S <tool>` from the system gems instead of `bundle exec`.
  makeVars: { RUBY, BUNDLE_EXEC: '' },

  async env() {
    const shim = path.join(tmpdir(), 'create-backend-starter-ruby-uri-decode.rb');
    await writeFile(shim, URI_DECODE_SHIM);
    return { RUBYOPT: `-r${shim}` };
  },

  // Nothing to download: RubyGems is unreachable and Debian's gems (checked above) stand in
  // for `make install`, which would run `bundle install` against rubygems.org.
  async install() {},
};
