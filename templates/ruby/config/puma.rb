# frozen_string_literal: true

# Read by Puma 5.6 through 8: only settings every one of them knows.

port Integer(ENV.fetch('PORT', '3000'), 10)

# One process, a fixed number of threads; the database pool has one connection per thread.
threads_count = Integer(ENV.fetch('PUMA_MAX_THREADS', '5'), 10)
threads threads_count, threads_count

# On SIGTERM Puma stops accepting and finishes in-flight requests. By default it then
# re-raises the signal, which makes the exit status 143; a finished shutdown is a success.
raise_exception_on_sigterm false
