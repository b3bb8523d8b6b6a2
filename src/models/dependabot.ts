import { stringify } from 'yaml';
import type { ProjectContext } from './context.js';

/**
 * Dependabot rather than Renovate: it is built into GitHub (nothing to install or host, the
 * same as the generated workflow), and it also raises security updates outside the weekly
 * schedule. It does not run on GitLab, so it comes with the GitHub workflow only.
 *
 * One entry per thing the project pins: the language's packages (manifest and lockfile),
 * the Dockerfile's and docker-compose.yml's images, and the workflow's actions. Minor and
 * patch updates arrive as one grouped pull request a week; majors one by one, since those
 * are the ones that need reading.
 */
export function dependabotModel(ctx: ProjectContext): Record<string, unknown> {
  const grouped = (group: string) => ({
    groups: { [group]: { patterns: ['*'], 'update-types': ['minor', 'patch'] } },
  });
  const ecosystems = [
    { ecosystem: ctx.lang.ci.dependabotEcosystem, group: 'dependencies' },
    ...(ctx.answers.docker
      ? [
          { ecosystem: 'docker', group: 'images' },
          { ecosystem: 'docker-compose', group: 'compose-images' },
        ]
      : []),
    { ecosystem: 'github-actions', group: 'actions' },
  ];
  return {
    version: 2,
    updates: ecosystems.map(({ ecosystem, group }) => ({
      'package-ecosystem': ecosystem,
      directory: '/',
      // A fresh object each time: a shared one would be written as a YAML anchor and alias.
      schedule: { interval: 'weekly' },
      ...grouped(group),
    })),
  };
}

export const dependabotFile = (ctx: ProjectContext) => stringify(dependabotModel(ctx), { lineWidth: 0 });
