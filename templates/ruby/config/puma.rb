# frozen_string_literal: true

require 'json'

port Integer(ENV.fetch('PORT', '3000'), 10)

# One process, a fixed number of threads; the database pool has one connection per thread.
threads_count = Integer(ENV.fetch('PUMA_MAX_THREADS', '5'), 10)
threads threads_count, threads_count

# On SIGTERM Puma stops listening and finishes the requests it has accepted, including the
# connections still waiting in the listen backlog: without `drain_on_shutdown` those are
# reset when Puma closes its listener, and a client whose request was already sent gets
# ECONNRESET (6 to 14 of 20 POSTs held in flight, in some runs).
drain_on_shutdown
# Requests still running after this many seconds are cut off; Kubernetes sends SIGKILL
# 30 s after SIGTERM by default, so stay under that (and under the pod's grace period).
force_shutdown_after 25
# By default Puma re-raises the signal once drained, which makes the exit status 143;
# a finished shutdown is a success.
raise_exception_on_sigterm false

# Puma reads a whole request body before the app sees it. The app answers 413 in JSON past
# 1 MiB; past this ceiling Puma answers 413 from the headers alone (plain text), so no
# client can make it buffer a large body, or wait for one that never comes.
http_content_length_limit 2 * 1024 * 1024

# Every method reaches the app, which answers 405 (a path it serves otherwise) or 404 in
# JSON, rather than Puma's plain-text 501 for methods outside its own list.
supported_http_methods :any

# What Puma answers by itself (a request it cannot parse, a method it does not know, an
# error past the app's own handlers) is JSON like every other answer, and never a backtrace.
lowlevel_error_handler do |_error, _env, status|
  messages = { 400 => 'malformed HTTP request', 501 => 'HTTP method not implemented' }
  message = messages.fetch(status, 'internal server error')
  [status, { 'content-type' => 'application/json' }, [JSON.generate(error: message)]]
end
