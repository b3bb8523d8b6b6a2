# frozen_string_literal: true

require 'fileutils'
require 'rbconfig'
require 'socket'
require_relative 'http_helpers'

# The service as a deployment runs it, for functional specs without BASE_URL: pending
# migrations first (a fresh test database works), then the `make start` server (Puma with
# config/puma.rb) on a free port of 127.0.0.1. Its output goes to tmp/functional-service.log.
class LocalService
  ROOT = File.expand_path('../..', __dir__)
  LOG = File.join(ROOT, 'tmp', 'functional-service.log')
  BOOT_SECONDS = 60
  # Puma finishes in-flight requests for up to 25 s (config/puma.rb); a little more than that.
  STOP_SECONDS = 30

  # The database the tests use: TEST_DATABASE_URL, else DATABASE_URL.
  def initialize
    database_url = %w[TEST_DATABASE_URL DATABASE_URL].map { |name| ENV.fetch(name, '') }.find { |url| !url.empty? }
    raise 'Set BASE_URL to test a running service, or DATABASE_URL for the suite to start one' unless database_url

    @env = { 'DATABASE_URL' => database_url }
  end

  # Starts the service and answers its base URL once /health/live answers.
  def start
    FileUtils.mkdir_p(File.dirname(LOG))
    File.write(LOG, '')
    raise "rake db:migrate failed:\n#{log_tail}" unless system(@env, *ruby('rake', 'db:migrate'), **output)

    port = free_port
    @pid = Process.spawn(@env.merge('PORT' => port.to_s),
                         *ruby('puma', '-C', 'config/puma.rb', '--bind', "tcp://127.0.0.1:#{port}"), **output)
    base_url = "http://127.0.0.1:#{port}"
    wait_until_live(base_url)
    base_url
  end

  # SIGTERM, as a container runtime sends it; the service must exit 0 once drained.
  def stop
    return unless @pid

    Process.kill('TERM', @pid)
    status = wait_for_exit(STOP_SECONDS)
    unless status
      Process.kill('KILL', @pid)
      Process.wait(@pid)
      raise "the service did not stop within #{STOP_SECONDS} s of SIGTERM:\n#{log_tail}"
    end
    raise "the service did not exit 0 on SIGTERM (#{status}):\n#{log_tail}" unless status.success?
  end

  private

  # A tool of the bundle (or of the system, outside one) run as `make` runs it: `ruby -S tool`.
  def ruby(*args)
    [RbConfig.ruby, '-S', *args]
  end

  def output
    { chdir: ROOT, out: [LOG, 'a'], err: %i[child out] }
  end

  # Free when asked; should another process take it before Puma binds it, the boot fails and says so.
  def free_port
    TCPServer.open('127.0.0.1', 0) { |server| server.addr[1] }
  end

  def wait_until_live(base_url)
    deadline = now + BOOT_SECONDS
    until HttpHelpers.live?(base_url)
      status = wait_for_exit(0)
      raise "the service exited (#{status}) before answering:\n#{log_tail}" if status
      raise "nothing answered #{base_url}/health/live within #{BOOT_SECONDS} s:\n#{log_tail}" if now > deadline

      sleep 0.1
    end
  end

  # The exit status, or nil if the process is still running after `seconds`.
  def wait_for_exit(seconds)
    deadline = now + seconds
    loop do
      _, status = Process.wait2(@pid, Process::WNOHANG)
      if status
        @pid = nil
        return status
      end
      return nil if now >= deadline

      sleep 0.1
    end
  end

  def log_tail
    File.readlines(LOG).last(30).join
  end

  def now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end
end
