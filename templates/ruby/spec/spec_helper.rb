# frozen_string_literal: true

# RSpec settings every layer shares. It loads nothing of the service: unit and integration
# specs require app_helper (the app in-process), functional specs require functional_helper
# (HTTP only).
RSpec.configure do |config|
  config.disable_monkey_patching!
  config.order = :random
  Kernel.srand config.seed

  config.expect_with :rspec do |expectations|
    expectations.include_chain_clauses_in_custom_matcher_descriptions = true
  end
  config.mock_with :rspec do |mocks|
    mocks.verify_partial_doubles = true
  end
end
