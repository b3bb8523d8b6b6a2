import type { ProjectContext } from '../context.js';

// Names, labels and the hardened security settings every workload shares.

export type K8sObject = Record<string, unknown>;

/** Endpoints take a moment to drop a terminating pod: keep serving meanwhile. */
export const PRE_STOP_SECONDS = 5;
export const HTTP_PORT_NAME = 'http';

/** preStop pause, then SIGTERM: the server drains within shutdownSeconds; a few seconds spare before SIGKILL. */
export function gracePeriod(ctx: ProjectContext): number {
  return PRE_STOP_SECONDS + ctx.lang.container.shutdownSeconds + 5;
}

export interface Names {
  app: string;
  db: string;
  config: string;
  secret: string;
  dbSecret: string;
  serviceAccount: string;
  image: string;
}

export function namesOf(ctx: ProjectContext): Names {
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

export const appLabels = (ctx: ProjectContext) => ({
  'app.kubernetes.io/name': ctx.names.name,
  'app.kubernetes.io/component': 'api',
});
export const dbLabels = (ctx: ProjectContext) => ({
  'app.kubernetes.io/name': ctx.names.name,
  'app.kubernetes.io/component': 'database',
});

const runtimeDefault = { type: 'RuntimeDefault' };

export function podSecurity(c: { uid: number; gid: number }): K8sObject {
  return {
    runAsNonRoot: true,
    runAsUser: c.uid,
    runAsGroup: c.gid,
    fsGroup: c.gid,
    seccompProfile: runtimeDefault,
  };
}

export const containerSecurity: K8sObject = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: runtimeDefault,
};

/** emptyDir volumes and their mounts for the paths a runtime writes to. */
export function scratch(paths: string[]): { volumes: K8sObject[]; mounts: K8sObject[] } {
  const name = (p: string) => `scratch${p.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.replace(/-$/, '');
  return {
    volumes: paths.map((p) => ({ name: name(p), emptyDir: { sizeLimit: '64Mi' } })),
    mounts: paths.map((p) => ({ name: name(p), mountPath: p })),
  };
}

/** Replicas the autoscaler keeps between: production, and the local overlay's patch. */
export const REPLICAS = { production: { min: 2, max: 6 }, local: { min: 1, max: 2 } } as const;

/** The first release tag: `docker build -t NAME:0.1.0 .`. Never `latest`. */
export const IMAGE_TAG = '0.1.0';
