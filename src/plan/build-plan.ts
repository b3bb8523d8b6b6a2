import { databases } from '../databases/index.js';
import { connectorFor, frameworkSpec, languageFor, languages } from '../languages/index.js';
import type { DatabaseSpec } from '../databases/types.js';
import type { Connector, FrameworkSpec, LanguageSpec } from '../languages/types.js';
import type { ProjectContext } from '../models/context.js';
import { composeFile } from '../models/compose.js';
import { envExample, envFile, secretNames, type Secrets } from '../models/env.js';
import { githubWorkflowFile, gitlabCiFile } from '../models/ci.js';
import { K8S_DIR, kubernetesFiles, kubernetesSummary } from '../models/kubernetes/index.js';
import { dependabotFile } from '../models/dependabot.js';
import { projectNames } from '../options/names.js';
import type { Answers, FileRule, PlannedFile, ProjectNames } from './types.js';

export interface Plan {
  answers: Answers;
  names: ProjectNames;
  /** Sorted by path, so output order (and `--dry-run`) is stable. */
  files: PlannedFile[];
  /** What ejs templates see. */
  templateData: Record<string, unknown>;
}

export interface PlanInputs {
  generatorVersion: string;
  /** Random values for `.env`; the only part of the output that differs run to run. */
  secrets: Secrets;
}

const DB_USER = 'app';

/** Pure: the same answers and inputs give the same plan. No I/O happens here. */
export function buildPlan(answers: Answers, inputs: PlanInputs): Plan {
  const db: DatabaseSpec = databases[answers.db];
  const framework: FrameworkSpec | undefined = frameworkSpec(answers.lang, answers.framework);
  if (!framework) throw new Error(`${languages[answers.lang].label} has no framework ${answers.framework}`);
  const lang: LanguageSpec = languageFor(answers.lang, answers.framework);
  const connector: Connector | undefined = connectorFor(answers.lang, answers.framework, answers.db);
  if (!connector || framework.refuses?.[answers.db]) {
    throw new Error(`${framework.name} has no connector for ${db.label}`);
  }
  const names = projectNames(answers.name);
  const ctx: ProjectContext = {
    answers,
    names,
    lang,
    db,
    connector,
    generatorVersion: inputs.generatorVersion,
    dbUser: DB_USER,
  };
  for (const n of secretNames(db)) {
    if (!inputs.secrets[n]) throw new Error(`buildPlan needs a value for secret ${n}`);
  }

  const fromRules = (rules: FileRule[], prefix = ''): PlannedFile[] =>
    rules.map((r) => ({
      path: prefix + expandPath(r.to, names),
      source: 'template',
      template: r.from,
      ...(r.mode ? { mode: r.mode } : {}),
      ...(r.data ? { data: r.data } : {}),
    }));
  const content = (path: string, text: string, extra: Partial<PlannedFile> = {}): PlannedFile =>
    ({ path, source: 'content', content: text, ...extra }) as PlannedFile;

  const files: PlannedFile[] = [
    ...fromRules(lang.files),
    ...fromRules(framework.files ?? []),
    ...fromRules(framework.databaseFiles?.[answers.db] ?? []),
    ...fromRules(connector.files),
    ...lang.manifests({ names, db, connector, framework, generatorVersion: inputs.generatorVersion }),
    { path: 'Makefile', source: 'template', template: 'common/Makefile.ejs' },
    { path: 'README.md', source: 'template', template: 'common/README.md.ejs' },
    { path: '.editorconfig', source: 'template', template: 'common/editorconfig' },
    content('.gitignore', ignoreFile(['.env', ...lang.ignore.git])),
    content('.env.example', envExample(ctx)),
    content('.env', envFile(ctx, inputs.secrets), { secret: true }),
    content('.backend-starter.json', answersFile(answers, inputs.generatorVersion)),
  ];
  if (db.family === 'sql' && lang.sqlMigrationsDir) {
    files.push(...fromRules(db.sqlMigrations, `${lang.sqlMigrationsDir}/`));
  }
  if (answers.docker) {
    files.push(
      ...fromRules(lang.dockerFiles),
      content('docker-compose.yml', composeFile(ctx)),
      // The manifests are no part of the image, and k8s/ holds .env files of its own.
      content('.dockerignore', ignoreFile(['.env', '.git', ...(answers.kubernetes ? [K8S_DIR] : []), ...lang.ignore.docker])),
    );
  }
  if (answers.kubernetes) files.push(...kubernetesFiles(ctx, inputs.secrets));
  if (answers.ci === 'github' || answers.ci === 'both') {
    files.push(
      content('.github/workflows/ci.yml', githubWorkflowFile(ctx)),
      content('.github/dependabot.yml', dependabotFile(ctx)),
    );
  }
  if (answers.ci === 'gitlab' || answers.ci === 'both') {
    files.push(content('.gitlab-ci.yml', gitlabCiFile(ctx)));
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const dupe = files.find((f, i) => i > 0 && files[i - 1]?.path === f.path);
  if (dupe) throw new Error(`two planned files share the path ${dupe.path}`);

  return {
    answers,
    names,
    files,
    templateData: {
      project: names,
      lang: {
        label: lang.label,
        image: lang.image,
        framework: { name: framework.name, why: framework.why },
        make: lang.make,
        layout: [...(framework.layout ?? []), ...lang.layout],
        defaultPort: lang.defaultPort,
        lockfile: lang.ci.lockfile ?? null,
        audit: lang.ci.audit,
        schemaChange: schemaChange(lang),
      },
      db: { label: db.label, family: db.family, scheme: db.scheme, port: db.port, image: db.image },
      connector: { driver: connector.driver, buildPackages: connector.buildPackages ?? [], ...connector.data },
      docker: answers.docker,
      kubernetes: answers.kubernetes ? kubernetesSummary(ctx) : null,
      ci: answers.ci,
      dbUser: DB_USER,
      generatorVersion: inputs.generatorVersion,
    },
  };
}

/** The README's sentence on changing a SQL schema: the language's own, else the shared SQL files'. */
function schemaChange(lang: LanguageSpec): string {
  if (lang.schemaChange) return lang.schemaChange;
  if (!lang.sqlMigrationsDir) throw new Error(`${lang.id} keeps its own migrations but says nothing of how to change the schema (schemaChange)`);
  return (
    `To change the schema, add a SQL file to \`${lang.sqlMigrationsDir}/\` with the next number ` +
    '(`0002_add_tags.sql`); never edit one that has been applied.'
  );
}

function expandPath(to: string, names: ProjectNames): string {
  return to.replace(/\{(snake|name|pascal)\}/g, (_, k: keyof ProjectNames) => names[k]);
}

function ignoreFile(lines: string[]): string {
  return [...new Set(lines)].join('\n') + '\n';
}

/** Sorted keys and no timestamp: the answers file must be byte-identical across runs. */
function answersFile(answers: Answers, version: string): string {
  const sortedAnswers = Object.fromEntries(
    Object.entries(answers).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return (
    JSON.stringify({ answers: sortedAnswers, generator: 'create-backend-starter', version }, null, 2) +
    '\n'
  );
}
