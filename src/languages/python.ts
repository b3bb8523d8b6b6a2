import type { LanguageSpec } from './types.js';

// Placeholder: replaced by the real Python spec.
export const python = {
  id: 'python',
  label: 'Python',
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
