import { stringify } from 'yaml';
import type { PlannedFile } from '../../plan/types.js';
import type { ProjectContext } from '../context.js';
import { secretNames, type Secrets } from '../env.js';
import { baseObjects, databaseEgress, ingressObject, namespaceObject } from './app.js';
import { dbLabels, gracePeriod, IMAGE_TAG, type K8sObject, type Names, namesOf, PRE_STOP_SECONDS, REPLICAS } from './common.js';
import { databaseObjects } from './database.js';

/**
 * Kubernetes config as objects, serialised to YAML: a kustomize base, an optional Ingress
 * component, and two overlays. `local` runs the database in the cluster (official image,
 * StatefulSet, PVC, its own Secret); `production` expects it outside (DATABASE_URL from a
 * Secret). Only current kustomize fields: `labels`, `patches`, generators.
 *
 * Migrations run in an init container of every new pod, relying on the migration runner's
 * database lock (pg_advisory_lock / GET_LOCK): the first pod of a rollout applies what is
 * pending, the others wait on the lock and find nothing left, and no pod serves before the
 * schema is current (where the runner takes no lock yet, `container.migrationLock` is false
 * and the generated README says so). A Job cannot do that with plain `kubectl apply -k`: its pod template is
 * immutable, nothing re-runs it per rollout, and nothing holds the new pods until it is done.
 * MongoDB needs no migrations: the service ensures its indexes at start-up.
 */

export const K8S_DIR = 'k8s';

function kustomization(body: K8sObject): K8sObject {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...body };
}

/** Metadata labels on everything an overlay renders; selectors keep their own, fixed labels. */
function overlayLabels(ctx: ProjectContext): K8sObject[] {
  return [
    {
      pairs: { 'app.kubernetes.io/part-of': ctx.names.name, 'app.kubernetes.io/managed-by': 'kustomize' },
      includeTemplates: true,
    },
  ];
}

function baseKustomization(ctx: ProjectContext, n: Names, files: string[]): K8sObject {
  return kustomization({
    resources: files,
    configMapGenerator: [
      { name: n.config, literals: [`PORT=${ctx.lang.defaultPort}`, 'LOG_LEVEL=info'] },
    ],
    // The image the Dockerfile builds; overlays say where it lives and which tag runs.
    images: [{ name: n.image, newTag: IMAGE_TAG }],
  });
}

/** What the generated README says about the manifests. */
export function kubernetesSummary(ctx: ProjectContext): Record<string, unknown> {
  const n = namesOf(ctx);
  return {
    dir: K8S_DIR,
    namespace: ctx.names.name,
    app: n.app,
    image: `${n.image}:${IMAGE_TAG}`,
    preStopSeconds: PRE_STOP_SECONDS,
    replicas: REPLICAS,
    shutdownSeconds: ctx.lang.container.shutdownSeconds,
    gracePeriodSeconds: gracePeriod(ctx),
    migrate: ctx.db.family === 'sql' ? ctx.lang.container.migrate.join(' ') : null,
    migrationLock: ctx.lang.container.migrationLock,
    uid: ctx.lang.container.uid,
    writablePaths: ctx.lang.container.writablePaths,
  };
}

function yamlText(value: K8sObject): string {
  // Shared objects (one resources block for two containers) are written out, not as YAML aliases.
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

function envText(header: string[], values: Record<string, string>): string {
  return [...header.map((h) => `# ${h}`), ...Object.entries(values).map(([k, v]) => `${k}=${v}`), ''].join('\n');
}

/**
 * Every file under k8s/. The local overlay's `.env` files hold the generated passwords
 * (marked secret, git-ignored like the root `.env`); production's `.env` is the user's to
 * write from its committed `.env.example`.
 */
export function kubernetesFiles(ctx: ProjectContext, secrets: Secrets): PlannedFile[] {
  const n = namesOf(ctx);
  const files: PlannedFile[] = [];
  const add = (path: string, text: string, secret = false) =>
    files.push({ path: `${K8S_DIR}/${path}`, source: 'content', content: text, ...(secret ? { secret } : {}) });
  const addAll = (dir: string, objects: Record<string, K8sObject>) => {
    for (const [file, value] of Object.entries(objects)) add(`${dir}/${file}`, yamlText(value));
    return Object.keys(objects);
  };

  const base = addAll('base', baseObjects(ctx, n));
  add('base/kustomization.yaml', yamlText(baseKustomization(ctx, n, base)));

  add('components/ingress/ingress.yaml', yamlText(ingressObject(ctx, n)));
  add(
    'components/ingress/kustomization.yaml',
    yamlText({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', resources: ['ingress.yaml'] }),
  );

  const secretGenerator = [{ name: n.secret, envs: ['.env'] }];
  const url = (password: string, host: string) =>
    ctx.db.url({ user: ctx.dbUser, password, host, port: ctx.db.port, database: ctx.names.snake });
  // `.env` holds the values (git-ignored, never committed); `.env.example` is its committed template.
  const secretFile = (what: string) => [`${what}: read by kustomize's secretGenerator. Git-ignored; never commit it.`];
  const exampleFile = (what: string, how: string) => [
    `Template of .env beside it (${what}, read by kustomize's secretGenerator).`,
    `${how} .env is git-ignored: never commit it.`,
  ];

  // local: the database runs beside the app, with its own Secret.
  const database = addAll('overlays/local/database', databaseObjects(ctx, n));
  add(
    'overlays/local/database/kustomization.yaml',
    yamlText(kustomization({ resources: database, secretGenerator: [{ name: n.dbSecret, envs: ['.env'] }] })),
  );
  const dbSecretNames = secretNames(ctx.db);
  add(
    'overlays/local/database/.env',
    envText(secretFile("The database's Secret"), Object.fromEntries(dbSecretNames.map((k) => [k, secrets[k] ?? '']))),
    true,
  );
  add(
    'overlays/local/database/.env.example',
    envText(
      exampleFile("the database's Secret", 'Copy it to .env with passwords of your own;'),
      Object.fromEntries(dbSecretNames.map((k) => [k, 'change-me'])),
    ),
  );
  add(
    'overlays/local/.env',
    envText(secretFile("The app's Secret"), { DATABASE_URL: url(secrets.DB_PASSWORD ?? '', n.db) }),
    true,
  );
  add(
    'overlays/local/.env.example',
    envText(exampleFile("the app's Secret", 'Copy it to .env with DB_PASSWORD from database/.env in the URL;'), {
      DATABASE_URL: url('change-me', n.db),
    }),
  );
  const localFiles = addAll('overlays/local', {
    'namespace.yaml': namespaceObject(ctx),
    'network-policy-database.yaml': databaseEgress(ctx, n, [{ podSelector: { matchLabels: dbLabels(ctx) } }]),
  });
  add(
    'overlays/local/kustomization.yaml',
    yamlText(
      kustomization({
        namespace: ctx.names.name,
        labels: overlayLabels(ctx),
        resources: ['../../base', 'database', ...localFiles],
        secretGenerator,
        patches: [
          {
            // One replica is enough on a laptop; the HPA still adds more under load.
            target: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', name: n.app },
            patch: stringify(
              [
                { op: 'replace', path: '/spec/minReplicas', value: REPLICAS.local.min },
                { op: 'replace', path: '/spec/maxReplicas', value: REPLICAS.local.max },
              ],
              { lineWidth: 0 },
            ),
          },
        ],
      }),
    ),
  );

  // production: an external database, reached on its port wherever it lives.
  add(
    'overlays/production/.env.example',
    envText(exampleFile("the app's Secret", "Copy it to .env with your database's URL;"), {
      DATABASE_URL: url('change-me', 'db.example.internal'),
    }),
  );
  const productionFiles = addAll('overlays/production', {
    'namespace.yaml': namespaceObject(ctx),
    'network-policy-database.yaml': databaseEgress(ctx, n),
  });
  add(
    'overlays/production/kustomization.yaml',
    yamlText(
      kustomization({
        namespace: ctx.names.name,
        labels: overlayLabels(ctx),
        resources: ['../../base', ...productionFiles],
        secretGenerator,
        images: [{ name: n.image, newName: `registry.example.com/${ctx.names.name}`, newTag: IMAGE_TAG }],
      }),
    ),
  );
  return files;
}
