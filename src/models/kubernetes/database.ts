import type { ProjectContext } from '../context.js';
import { appLabels, containerSecurity, dbLabels, type K8sObject, type Names, podSecurity, scratch } from './common.js';

/** The compose healthcheck as an exec probe (`CMD-SHELL` runs in sh; `$$` is compose's escape). */
export function execProbe(healthcheck: string[]): string[] {
  const [kind, ...rest] = healthcheck;
  if (kind === 'CMD-SHELL') return ['sh', '-c', rest.join(' ').replaceAll('$$', '$')];
  if (kind === 'CMD') return rest;
  throw new Error(`unknown healthcheck form ${String(kind)}`);
}

export function databaseObjects(ctx: ProjectContext, n: Names): Record<string, K8sObject> {
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
