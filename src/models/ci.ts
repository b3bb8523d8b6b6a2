import { stringify } from 'yaml';
import { actions, githubRunner } from '../versions.js';
import type { ProjectContext } from './context.js';

/**
 * CI runs the same uniform make targets as a developer does, against the database as a
 * service container. The password is a throwaway for that container, not a secret.
 */
const CI_PASSWORD = 'ci-only-password';
const CI_SECRETS = { DB_PASSWORD: CI_PASSWORD, DB_ROOT_PASSWORD: 'ci-only-root-password' };
/** After `make install` and the dependency audit. */
const CHECK_STEPS = ['lint', 'migrate', 'test'] as const;

function serviceEnv(ctx: ProjectContext): Record<string, string> {
  const env = ctx.db.containerEnv(`${ctx.names.snake}_test`, ctx.dbUser);
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/\$\{(\w+)\}/g, (_, name: string) => CI_SECRETS[name as keyof typeof CI_SECRETS] ?? ''),
    ]),
  );
}

function ciDatabaseUrl(ctx: ProjectContext, host: string): string {
  return ctx.db.url({
    user: ctx.dbUser,
    password: CI_PASSWORD,
    host,
    port: ctx.db.port,
    database: `${ctx.names.snake}_test`,
  });
}

export function githubWorkflowModel(ctx: ProjectContext): Record<string, unknown> {
  const { db, lang } = ctx;
  const url = ciDatabaseUrl(ctx, '127.0.0.1');
  const build = ctx.connector.buildPackages ?? [];
  return {
    name: 'CI',
    on: { push: { branches: ['main'] }, pull_request: {} },
    // The token can read the code and nothing else; no step needs more.
    permissions: { contents: 'read' },
    // A newer push to the same branch or pull request makes the older run pointless.
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: {
      test: {
        'runs-on': githubRunner,
        'timeout-minutes': 15,
        services: {
          db: {
            image: db.image,
            env: serviceEnv(ctx),
            ports: [`${db.port}:${db.port}`],
            options: `--health-cmd "${db.healthcheckShell.replace(/"/g, '\\"')}" --health-interval 5s --health-timeout 5s --health-retries 20`,
          },
        },
        env: { DATABASE_URL: url, TEST_DATABASE_URL: url },
        steps: [
          // No step pushes: the token is not left in .git/config for the dependencies' code to find.
          { uses: actions.checkout, with: { 'persist-credentials': false } },
          ...lang.ci.githubSetup,
          ...(build.length ? [{ name: 'build dependencies', run: `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${build.join(' ')}` }] : []),
          { name: 'make install', run: 'make install' },
          { name: 'audit dependencies', run: lang.ci.audit.join('\n') },
          ...CHECK_STEPS.map((t) => ({ name: `make ${t}`, run: `make ${t}` })),
        ],
      },
    },
  };
}

export function gitlabCiModel(ctx: ProjectContext): Record<string, unknown> {
  const { db, lang } = ctx;
  const build = ctx.connector.buildPackages ?? [];
  const url = ciDatabaseUrl(ctx, 'db');
  const cache = lang.ci.gitlabCache;
  return {
    stages: ['test'],
    test: {
      stage: 'test',
      image: lang.ci.gitlabImage,
      services: [{ name: db.image, alias: 'db' }],
      variables: { ...serviceEnv(ctx), DATABASE_URL: url, TEST_DATABASE_URL: url, ...cache.variables },
      // Downloads survive between pipelines until the files that pin them change.
      cache: { key: { files: cache.keyFiles }, paths: cache.paths },
      before_script: [
        ...lang.ci.gitlabBeforeScript,
        ...(build.length ? [`apt-get update && apt-get install -y --no-install-recommends ${build.join(' ')}`] : []),
      ],
      script: ['make install', ...lang.ci.audit, ...CHECK_STEPS.map((t) => `make ${t}`)],
    },
  };
}

export const githubWorkflowFile = (ctx: ProjectContext) =>
  stringify(githubWorkflowModel(ctx), { lineWidth: 0 });
export const gitlabCiFile = (ctx: ProjectContext) => stringify(gitlabCiModel(ctx), { lineWidth: 0 });
