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
    base_url = ENV.fetch('BASE_URL', '').strip
    if base_url.empty?
      local = LocalService.new
      base_url = local.start
    end
    HttpHelpers.use(base_url)
    config.reporter.message("Functional specs against #{base_url}#{' (started by the suite)' if local}")
  end
  # A service that does not stop cleanly on SIGTERM would cut requests short in a rollout.
  config.after(:suite) { local&.stop }
end
