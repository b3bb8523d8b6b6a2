import { defineConfig } from 'vitest/config';

// Three layers, each run on its own by `make test-unit`, `make test-integration` and
// `make test-functional` (`vitest run --project NAME`); `make test` runs them in that order.
export default defineConfig({
  test: {
    projects: [
      {
        // The code alone: no database, no server.
        test: { name: 'unit', include: ['test/*.test.ts'], exclude: ['test/*.integration.test.ts'] },
      },
      {
        // Every route against the real database in TEST_DATABASE_URL (else DATABASE_URL).
        test: { name: 'integration', include: ['test/*.integration.test.ts'] },
      },
      {
        // Black-box HTTP against BASE_URL, or against the built server that service.ts starts.
        test: {
          name: 'functional',
          include: ['test/functional/*.test.ts'],
          globalSetup: ['test/functional/service.ts'],
          // A remote deployment answers slower than app.inject().
          testTimeout: 15_000,
        },
      },
    ],
  },
});
