import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../support/processes.js';
import { skipBecause } from '../skip.js';
import { runtime } from './runtimes/ruby.js';

const langReason = await runtime.unavailable();

/**
 * The mongo gem 2.5.1's cursor finalizer, called as GC may call it: inside a signal trap (as
 * Puma's SIGTERM handler). It hands over a cursor to kill and ends an implicit session; both
 * take a mutex, which Ruby refuses in a trap ("can't be called from trap context"). With the
 * suite's patch, loaded the way every Ruby × MongoDB command gets it, the call returns at once
 * and the same clean-up happens on an ordinary thread.
 */
const FINALIZER_IN_TRAP = `
reaper = Mongo::Cluster::CursorReaper.new
reaper.register_cursor(42)
session = Struct.new(:lock, :ended) do
  def implicit? = true
  def end_session = lock.synchronize { self.ended = true }
end.new(Mutex.new, false)
cleanup = Mongo::Cursor.finalize(42, reaper, { cursor_ids: [42] }, :server, session)
errors = []
Signal.trap('USR2') do
  cleanup.call
rescue StandardError => e
  errors << "#{e.class}: #{e.message}"
end
Process.kill('USR2', Process.pid)
deadline = Time.now + 5
scheduled = -> { !reaper.instance_variable_get(:@to_kill).empty? }
sleep 0.05 until errors.any? || (session.ended && scheduled.call) || Time.now > deadline
abort "in the trap: #{errors.join('; ')}" if errors.any?
abort 'the clean-up never ran' unless session.ended && scheduled.call
puts 'cursor scheduled for killCursors and session ended, outside the trap'
`;

describe('Ruby × MongoDB stand-in (Debian 13 mongo gem 2.5.1)', () => {
  it("runs the cursor finalizer's clean-up outside a signal trap", async (ctx) => {
    if (langReason) skipBecause(ctx, langReason);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ruby-mongo-stand-in-'));
    try {
      // What makes the runtime treat the directory as a MongoDB project (and load the patch).
      await writeFile(path.join(dir, 'Gemfile'), "source 'https://rubygems.org'\ngem 'mongo'\n");
      await writeFile(path.join(dir, 'finalizer_in_trap.rb'), FINALIZER_IN_TRAP);
      const w = await runtime.wrap!('ruby', ['finalizer_in_trap.rb'], dir);
      const r = await run(w.command, w.args, { cwd: dir, timeoutMs: 60_000 });
      expect(r.stderr.trim()).toBe('');
      expect(r.stdout.trim()).toBe('cursor scheduled for killCursors and session ended, outside the trap');
      expect(r.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
