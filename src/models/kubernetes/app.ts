import type { ProjectContext } from '../context.js';
import {
  appLabels,
  containerSecurity,
  dbLabels,
  gracePeriod,
  HTTP_PORT_NAME,
  type K8sObject,
  type Names,
  podSecurity,
  PRE_STOP_SECONDS,
  REPLICAS,
  scratch,
} from './common.js';

// The app's objects: the base's workload and policies, and what the overlays add around it.

export function deployment(ctx: ProjectContext, n: Names): K8sObject {
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

export function baseObjects(ctx: ProjectContext, n: Names): Record<string, K8sObject> {
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
        minReplicas: REPLICAS.production.min,
        maxReplicas: REPLICAS.production.max,
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

export function namespaceObject(ctx: ProjectContext): K8sObject {
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
export function databaseEgress(ctx: ProjectContext, n: Names, to?: K8sObject[]): K8sObject {
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

export function ingressObject(ctx: ProjectContext, n: Names): K8sObject {
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
