# frozen_string_literal: true

# Functional specs: black-box HTTP against a running service, never the app object.
# BASE_URL names the service (a compose or cluster deployment); without it the suite
# starts one itself, as `make start` does, and stops it with SIGTERM at the end.
require_relative 'support/http_helpers'
require_relative 'support/local_service'

RSpec.configure do |config|
  config.include HttpHelpers, file_path: %r{/spec/functional/}

  local = nil
  config.before(:suite) do
    HttpHelpers.base_url = ENV.fetch('BASE_URL', '').strip
    if HttpHelpers.base_url.empty?
      database_url = [ENV.fetch('TEST_DATABASE_URL', ''), ENV.fetch('DATABASE_URL', '')].find { |url| !url.empty? }
      raise 'Set BASE_URL to test a running service, or DATABASE_URL for the suite to start one' unless database_url

      local = LocalService.new(database_url)
      HttpHelpers.base_url = local.start
    end
    raise "Nothing answers #{HttpHelpers.base_url}/health/live: is BASE_URL right?" unless HttpHelpers.live?

    config.reporter.message("Functional specs against #{HttpHelpers.base_url}#{' (started by the suite)' if local}")
  end
  # A service that does not stop cleanly on SIGTERM would cut requests short in a rollout.
  config.after(:suite) { local&.stop }
end
