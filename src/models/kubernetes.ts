import { stringify } from 'yaml';
import type { PlannedFile } from '../plan/types.js';
import type { ProjectContext } from './context.js';
import { secretNames, type Secrets } from './env.js';

/**
 * Kubernetes config as objects, serialised to YAML: a kustomize base, an optional Ingress
 * component, and two overlays. `local` runs the database in the cluster (official image,
 * StatefulSet, PVC, its own Secret); `production` expects it outside (DATABASE_URL from a
 * Secret). Only current kustomize fields: `labels`, `patches`, generators.
 *
 * Migrations run in an init container of every new pod, relying on the migration runner's
 * database lock (pg_advisory_lock / GET_LOCK): the first pod of a rollout applies what is
 * pending, the others wait on the lock and find nothing left, and no pod serves before the
 * schema is current. A Job cannot do that with plain `kubectl apply -k`: its pod template is
 * immutable, nothing re-runs it per rollout, and nothing holds the new pods until it is done.
 * MongoDB needs no migrations: the service ensures its indexes at start-up.
 */

type K8sObject = Record<string, unknown>;

export const K8S_DIR = 'k8s';

/** Endpoints take a moment to drop a terminating pod: keep serving meanwhile. */
const PRE_STOP_SECONDS = 5;
const HTTP_PORT_NAME = 'http';

/** preStop pause, then SIGTERM: the server drains within shutdownSeconds; a few seconds spare before SIGKILL. */
function gracePeriod(ctx: ProjectContext): number {
  return PRE_STOP_SECONDS + ctx.lang.container.shutdownSeconds + 5;
}

interface Names {
  app: string;
  db: string;
  config: string;
  secret: string;
  dbSecret: string;
  serviceAccount: string;
  image: string;
}

function namesOf(ctx: ProjectContext): Names {
  const n = ctx.names.name;
  return {
    app: n,
    // Like compose's service: the local overlay's namespace is the project's own, and a
    // StatefulSet's name must stay within 52 characters (project names go up to 50).
    db: 'db',
    config: `${n}-config`,
    secret: `${n}-secrets`,
    dbSecret: `${n}-db-secrets`,
    serviceAccount: n,
    image: n,
  };
}

const appLabels = (ctx: ProjectContext) => ({
  'app.kubernetes.io/name': ctx.names.name,
  'app.kubernetes.io/component': 'api',
});
const dbLabels = (ctx: ProjectContext) => ({
  'app.kubernetes.io/name': ctx.names.name,
  'app.kubernetes.io/component': 'database',
});

const runtimeDefault = { type: 'RuntimeDefault' };

function podSecurity(c: { uid: number; gid: number }): K8sObject {
  return {
    runAsNonRoot: true,
    runAsUser: c.uid,
    runAsGroup: c.gid,
    fsGroup: c.gid,
    seccompProfile: runtimeDefault,
  };
}

const containerSecurity: K8sObject = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: runtimeDefault,
};

/** emptyDir volumes and their mounts for the paths a runtime writes to. */
function scratch(paths: string[]): { volumes: K8sObject[]; mounts: K8sObject[] } {
  const name = (p: string) => `scratch${p.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.replace(/-$/, '');
  return {
    volumes: paths.map((p) => ({ name: name(p), emptyDir: { sizeLimit: '64Mi' } })),
    mounts: paths.map((p) => ({ name: name(p), mountPath: p })),
  };
}

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

function deployment(ctx: ProjectContext, n: Names): K8sObject {
  const c = ctx.lang.container;
  const labels = appLabels(ctx);
  const { volumes, mounts } = scratch(c.writablePaths);
  const env = [
    { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: n.secret, key: 'DATABASE_URL' } } },
  ];
  const common = {
    image: n.image,
    envFrom: [{ configMapRef: { name: n.config } }],
    env,
    securityContext: containerSecurity,
    volumeMounts: mounts,
  };
  const resources = {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '1', memory: '256Mi' },
  };
  const httpProbe = (path: string, periodSeconds: number, failureThreshold: number, timeoutSeconds: number) => ({
    httpGet: { path, port: HTTP_PORT_NAME },
    periodSeconds,
    failureThreshold,
    timeoutSeconds,
  });
  const initContainers =
    ctx.db.family === 'sql'
      ? [{ name: 'migrate', ...common, args: c.migrate, resources }]
      : [];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: n.app, labels },
    spec: {
      // No `replicas`: the HorizontalPodAutoscaler owns the count, and applying must not reset it.
      revisionHistoryLimit: 5,
      selector: { matchLabels: labels },
      // Surge first, so capacity never drops during a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: n.serviceAccount,
          automountServiceAccountToken: false,
          // No *_SERVICE_HOST/*_PORT variables: they could shadow the app's own settings.
          enableServiceLinks: false,
          securityContext: podSecurity(c),
          // preStop sleep, then SIGTERM: the server stops accepting and drains within
          // shutdownSeconds; a few seconds spare before SIGKILL.
          terminationGracePeriodSeconds: gracePeriod(ctx),
          topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map(
            (topologyKey) => ({
              maxSkew: 1,
              topologyKey,
              // Spread when the cluster can; a one-node local cluster still schedules.
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: labels },
              matchLabelKeys: ['pod-template-hash'],
            }),
          ),
          initContainers,
          containers: [
            {
              name: 'app',
              ...common,
              args: c.serve,
              ports: [{ name: HTTP_PORT_NAME, containerPort: ctx.lang.defaultPort, protocol: 'TCP' }],
              // Started = the process answers; live = it still does (never the database, so a
              // database outage does not restart every pod); ready = it can serve (database up).
              startupProbe: httpProbe('/health/live', 2, 30, 2),
              livenessProbe: httpProbe('/health/live', 10, 3, 2),
              readinessProbe: httpProbe('/health', 5, 2, 3),
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
              resources,
            },
          ],
          volumes,
        },
      },
    },
  };
}

function baseObjects(ctx: ProjectContext, n: Names): Record<string, K8sObject> {
  const labels = appLabels(ctx);
  const port = ctx.lang.defaultPort;
  return {
    'deployment.yaml': deployment(ctx, n),
    'service.yaml': {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: n.app, labels },
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: HTTP_PORT_NAME, port: 80, targetPort: HTTP_PORT_NAME, protocol: 'TCP' }],
      },
    },
    'service-account.yaml': {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: n.serviceAccount, labels },
      automountServiceAccountToken: false,
    },
    'hpa.yaml': {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: n.app, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n.app },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      },
    },
    'pdb.yaml': {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: n.app, labels },
      spec: {
        // Never blocks a node drain outright (a one-replica local run included), yet only one
        // pod goes at a time.
        maxUnavailable: 1,
        selector: { matchLabels: labels },
        // A pod that is not ready serves nothing: evicting it must not wait.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    },
    'network-policy-default-deny.yaml': {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${n.app}-default-deny`, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    'network-policy-allow-http.yaml': {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${n.app}-allow-http`, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port }] }],
      },
    },
    'network-policy-allow-dns.yaml': {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${n.app}-allow-dns`, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
  };
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

/** The first release tag: `docker build -t NAME:0.1.0 .`. Never `latest`. */
const IMAGE_TAG = '0.1.0';

function namespaceObject(ctx: ProjectContext): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ctx.names.name,
      // Pod Security Admission refuses any pod here that is not "restricted".
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  };
}

/** Egress from the app to the database's port; `to` narrows it to the database's pods when given. */
function databaseEgress(ctx: ProjectContext, n: Names, to?: K8sObject[]): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${n.app}-allow-database`, labels: appLabels(ctx) },
    spec: {
      podSelector: { matchLabels: appLabels(ctx) },
      policyTypes: ['Egress'],
      egress: [{ ...(to ? { to } : {}), ports: [{ protocol: 'TCP', port: ctx.db.port }] }],
    },
  };
}

/** The compose healthcheck as an exec probe (`CMD-SHELL` runs in sh; `$$` is compose's escape). */
function execProbe(healthcheck: string[]): string[] {
  const [kind, ...rest] = healthcheck;
  if (kind === 'CMD-SHELL') return ['sh', '-c', rest.join(' ').replaceAll('$$', '$')];
  if (kind === 'CMD') return rest;
  throw new Error(`unknown healthcheck form ${String(kind)}`);
}

function databaseObjects(ctx: ProjectContext, n: Names): Record<string, K8sObject> {
  const { db } = ctx;
  const labels = dbLabels(ctx);
  const { volumes, mounts } = scratch(db.container.writablePaths);
  // `${VAR}` values in the image's environment come from the database's own Secret.
  const env = Object.entries(db.containerEnv(ctx.names.snake, ctx.dbUser)).map(([name, value]) => {
    const ref = /^\$\{([A-Z0-9_]+)\}$/.exec(value);
    return ref
      ? { name, valueFrom: { secretKeyRef: { name: n.dbSecret, key: ref[1] } } }
      : { name, value };
  });
  const tcp = { tcpSocket: { port: 'db' } };
  return {
    'statefulset.yaml': {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: n.db, labels },
      spec: {
        serviceName: n.db,
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurity(db.container),
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'db',
                image: db.image,
                env,
                ports: [{ name: 'db', containerPort: db.port, protocol: 'TCP' }],
                // The first start initialises the data directory before it listens on TCP.
                startupProbe: { ...tcp, periodSeconds: 5, failureThreshold: 60 },
                livenessProbe: { ...tcp, periodSeconds: 10, failureThreshold: 6 },
                readinessProbe: {
                  exec: { command: execProbe(db.healthcheck) },
                  periodSeconds: 5,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                },
                resources: {
                  requests: { cpu: '100m', memory: '256Mi' },
                  limits: { cpu: '1', memory: '1Gi' },
                },
                securityContext: containerSecurity,
                volumeMounts: [{ name: 'data', mountPath: db.dataPath }, ...mounts],
              },
            ],
            volumes,
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    },
    'service.yaml': {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: n.db, labels },
      spec: {
        // Headless: the StatefulSet's governing Service; the name resolves to the pod.
        clusterIP: 'None',
        selector: labels,
        ports: [{ name: 'db', port: db.port, targetPort: 'db', protocol: 'TCP' }],
      },
    },
    'network-policy.yaml': {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${n.db}-allow-app`, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: appLabels(ctx) } }],
            ports: [{ protocol: 'TCP', port: db.port }],
          },
        ],
      },
    },
  };
}

function ingressObject(ctx: ProjectContext, n: Names): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: n.app, labels: appLabels(ctx) },
    spec: {
      rules: [
        {
          host: `${ctx.names.name}.example.com`,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: n.app, port: { name: HTTP_PORT_NAME } } },
              },
            ],
          },
        },
      ],
    },
  };
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
    shutdownSeconds: ctx.lang.container.shutdownSeconds,
    gracePeriodSeconds: gracePeriod(ctx),
    migrate: ctx.db.family === 'sql' ? ctx.lang.container.migrate.join(' ') : null,
    uid: ctx.lang.container.uid,
    writablePaths: ctx.lang.container.writablePaths,
  };
}

function yamlText(value: K8sObject): string {
  return stringify(value, { lineWidth: 0 });
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
                { op: 'replace', path: '/spec/minReplicas', value: 1 },
                { op: 'replace', path: '/spec/maxReplicas', value: 2 },
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
