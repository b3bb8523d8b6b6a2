import type { LanguageSpec } from './types.js';

// Placeholder: replaced by the real PHP spec.
export const php = {
  id: 'php',
  label: 'PHP',
  framework: { name: 'TBD', why: 'TBD' },
  files: [],
  dockerFiles: [],
  connectors: {
    postgres: { driver: 'TBD', files: [] },
    mysql: { driver: 'TBD', files: [] },
    mongo: { driver: 'TBD', files: [] },
  },
  sqlMigrationsDir: 'migrations',
  manifests: () => [],
  make: {
    variables: {},
    targets: { install: [], dev: [], start: [], test: [], lint: [], migrate: [] },
  },
  ci: { githubSetup: [], gitlabImage: 'TBD', gitlabBeforeScript: [] },
  ignore: { git: [], docker: [] },
  defaultPort: 3000,
  layout: [],
} satisfies LanguageSpec;
