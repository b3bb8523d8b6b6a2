import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Child processes and real servers: forks isolate them best.
    pool: 'forks',
    testTimeout: 60_000,
    maxConcurrency: 3,
    hookTimeout: 120_000,
    reporters: process.env.CBS_JSON_REPORT ? ['default', 'json'] : ['default'],
    outputFile: process.env.CBS_JSON_REPORT ? { json: process.env.CBS_JSON_REPORT } : undefined,
  },
});
