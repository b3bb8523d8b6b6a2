import type { K8sObject } from './schema.js';

/**
 * The hardening review, as code: every finding is a sentence naming the object, so a test
 * asserts the list is empty and a failure reads like a reviewer's note.
 */

type Obj = Record<string, any>;

export interface Expectations {
  /** The image's non-root user (the language's, from its Dockerfile). */
  appUid: number;
  /** The PORT the service listens on. */
  appPort: number;
  /** Images every workload may run: the app's, and the pinned database image. */
  allowedImages: (image: string) => boolean;
  /** Whether this overlay runs the database in the cluster. */
  databaseInCluster: boolean;
  dbPort: number;
  /** SQL databases get a migration init container; document ones none. */
  migrations: string[] | null;
  /** Seconds the server takes to drain after SIGTERM. */
  shutdownSeconds: number;
  writablePaths: string[];
}

const matches = (selector: Obj | undefined, labels: Obj | undefined): boolean =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function podSpecs(objects: K8sObject[]): Array<{ owner: string; labels: Obj; spec: Obj; claims: string[] }> {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(o.kind))
    .map((o) => {
      const template = (o as Obj).spec.template ?? (o as Obj).spec.jobTemplate?.spec?.template;
      const claims = ((o as Obj).spec.volumeClaimTemplates ?? []).map((c: Obj) => c.metadata.name as string);
      return { owner: `${o.kind}/${o.metadata?.name}`, labels: template.metadata?.labels ?? {}, spec: template.spec, claims };
    });
}

/** Pod Security Standards "restricted", plus limits and the read-only root filesystem. */
function workloadFindings(objects: K8sObject[], e: Expectations): string[] {
  const out: string[] = [];
  for (const { owner, spec, claims } of podSpecs(objects)) {
    const pod = spec.securityContext ?? {};
    if (spec.automountServiceAccountToken !== false) out.push(`${owner}: service account token is mounted`);
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push(`${owner}: shares a host namespace`);
    if (!Number.isInteger(spec.terminationGracePeriodSeconds)) out.push(`${owner}: no termination grace period`);
    const volumes = new Map<string, Obj>((spec.volumes ?? []).map((v: Obj) => [v.name, v]));
    for (const v of volumes.values()) {
      if (v.hostPath) out.push(`${owner}: hostPath volume ${v.name}`);
      if (v.emptyDir && !v.emptyDir.sizeLimit) out.push(`${owner}: emptyDir ${v.name} has no sizeLimit`);
    }
    const containers: Obj[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    for (const c of containers) {
      const where = `${owner} container ${c.name}`;
      const sc = c.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      const uid = sc.runAsUser ?? pod.runAsUser;
      const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
      if (nonRoot !== true) out.push(`${where}: runAsNonRoot is not set`);
      if (!Number.isInteger(uid) || uid === 0) out.push(`${where}: no numeric non-root runAsUser`);
      if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
      if (sc.privileged) out.push(`${where}: privileged`);
      if (sc.readOnlyRootFilesystem !== true) out.push(`${where}: root filesystem is writable`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities not all dropped`);
      if ((sc.capabilities?.add ?? []).length) out.push(`${where}: adds capabilities`);
      if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) out.push(`${where}: no seccomp profile`);
      for (const kind of ['requests', 'limits']) {
        for (const r of ['cpu', 'memory']) {
          if (!c.resources?.[kind]?.[r]) out.push(`${where}: no ${r} ${kind.replace(/s$/, '')}`);
        }
      }
      const image = String(c.image ?? '');
      if (!/:[^/]+$/.test(image) && !image.includes('@sha256:')) out.push(`${where}: image ${image} has no tag`);
      if (/:latest$/.test(image)) out.push(`${where}: image ${image} is :latest`);
      if (!e.allowedImages(image)) out.push(`${where}: image ${image} is not one src/versions.ts pins`);
      for (const m of c.volumeMounts ?? []) {
        if (!volumes.has(m.name) && !claims.includes(m.name)) out.push(`${where}: mounts unknown volume ${m.name}`);
      }
    }
  }
  return out;
}

function appFindings(objects: K8sObject[], e: Expectations): string[] {
  const out: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment') as Obj[];
  if (deployments.length !== 1) return [`expected one Deployment, found ${deployments.length}`];
  const d = deployments[0]!;
  const owner = `Deployment/${d.metadata.name}`;
  const spec = d.spec.template.spec;
  const podLabels = d.spec.template.metadata.labels;
  if (d.spec.replicas !== undefined) out.push(`${owner}: sets replicas, which fights the HPA on every apply`);
  if (d.spec.strategy?.rollingUpdate?.maxUnavailable !== 0) out.push(`${owner}: a rollout may drop capacity`);
  if ((spec.securityContext?.runAsUser ?? -1) !== e.appUid) {
    out.push(`${owner}: runs as ${spec.securityContext?.runAsUser}, not the image's user ${e.appUid}`);
  }
  const spread = spec.topologySpreadConstraints ?? [];
  if (!spread.length) out.push(`${owner}: no topologySpreadConstraints`);
  for (const t of spread) {
    if (!matches(t.labelSelector?.matchLabels, podLabels)) out.push(`${owner}: a spread constraint selects other pods`);
  }

  const app = (spec.containers ?? []).find((c: Obj) => c.name === 'app');
  if (!app) return [...out, `${owner}: no app container`];
  const port = (app.ports ?? []).find((p: Obj) => p.containerPort === e.appPort);
  if (!port) out.push(`${owner}: does not expose port ${e.appPort}`);
  const probePort = (p: Obj | undefined) => p?.httpGet?.port === port?.name || p?.httpGet?.port === e.appPort;
  const probes: Array<[string, string]> = [
    ['startupProbe', '/health/live'],
    ['livenessProbe', '/health/live'],
    ['readinessProbe', '/health'],
  ];
  for (const [probe, path] of probes) {
    if (app[probe]?.httpGet?.path !== path) out.push(`${owner}: ${probe} is not GET ${path}`);
    else if (!probePort(app[probe])) out.push(`${owner}: ${probe} asks another port`);
  }
  const preStop = app.lifecycle?.preStop?.sleep?.seconds ?? 0;
  if (preStop < 1) out.push(`${owner}: no preStop pause for endpoints to drop the pod`);
  if (spec.terminationGracePeriodSeconds <= preStop + e.shutdownSeconds) {
    out.push(`${owner}: grace period ${spec.terminationGracePeriodSeconds}s cannot cover preStop ${preStop}s + drain ${e.shutdownSeconds}s`);
  }
  const mounted = new Map<string, string>((app.volumeMounts ?? []).map((m: Obj) => [m.mountPath, m.name]));
  for (const p of e.writablePaths) {
    const vol = (spec.volumes ?? []).find((v: Obj) => v.name === mounted.get(p));
    if (!vol?.emptyDir) out.push(`${owner}: ${p} is not a writable emptyDir`);
  }
  const url = (app.env ?? []).find((v: Obj) => v.name === 'DATABASE_URL');
  const secretName = url?.valueFrom?.secretKeyRef?.name;
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata?.name === secretName) as Obj | undefined;
  if (!secret?.data?.DATABASE_URL) out.push(`${owner}: DATABASE_URL does not come from a rendered Secret`);
  const config = objects.find((o) => o.kind === 'ConfigMap') as Obj | undefined;
  if (config?.data?.PORT !== String(e.appPort)) out.push(`ConfigMap: PORT is not ${e.appPort}`);

  const init = spec.initContainers ?? [];
  if (e.migrations) {
    if (init.length !== 1 || JSON.stringify(init[0].args) !== JSON.stringify(e.migrations)) {
      out.push(`${owner}: migrations do not run in one init container (${JSON.stringify(e.migrations)})`);
    }
  } else if (init.length) out.push(`${owner}: an init container, but the database needs no migrations`);

  // Everything that points at the app's pods.
  const service = objects.find((o) => o.kind === 'Service' && matches((o as Obj).spec.selector, podLabels)) as Obj;
  if (!service) out.push('no Service selects the app pods');
  else if (!service.spec.ports.every((p: Obj) => p.targetPort === port?.name || p.targetPort === e.appPort)) {
    out.push(`Service/${service.metadata.name}: targets another port`);
  }
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as Obj | undefined;
  if (!hpa || hpa.apiVersion !== 'autoscaling/v2' || hpa.spec.scaleTargetRef.name !== d.metadata.name) {
    out.push('no autoscaling/v2 HorizontalPodAutoscaler scales the Deployment');
  } else if (!(hpa.spec.minReplicas >= 1 && hpa.spec.maxReplicas > hpa.spec.minReplicas)) {
    out.push('the HPA has no room to scale');
  }
  const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && matches((o as Obj).spec.selector.matchLabels, podLabels));
  if (!pdb) out.push('no PodDisruptionBudget covers the app pods');

  out.push(...networkFindings(objects, podLabels, e));
  return out;
}

function networkFindings(objects: K8sObject[], podLabels: Obj, e: Expectations): string[] {
  const out: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Obj[];
  const deny = policies.find(
    (p) =>
      Object.keys(p.spec.podSelector ?? {}).length === 0 &&
      ['Ingress', 'Egress'].every((t) => p.spec.policyTypes?.includes(t)) &&
      !p.spec.ingress?.length &&
      !p.spec.egress?.length,
  );
  if (!deny) out.push('no default-deny NetworkPolicy (all pods, ingress and egress)');
  const forApp = policies.filter((p) => matches(p.spec.podSelector?.matchLabels, podLabels));
  const allows = (dir: 'ingress' | 'egress', port: number, protocol = 'TCP') =>
    forApp.some((p) =>
      (p.spec[dir] ?? []).some((rule: Obj) =>
        (rule.ports ?? []).some((x: Obj) => x.port === port && (x.protocol ?? 'TCP') === protocol),
      ),
    );
  if (!allows('ingress', e.appPort)) out.push(`no NetworkPolicy lets traffic in to the app port ${e.appPort}`);
  if (!allows('egress', 53, 'UDP')) out.push('no NetworkPolicy lets the app resolve DNS');
  if (!allows('egress', e.dbPort)) out.push(`no NetworkPolicy lets the app reach the database port ${e.dbPort}`);
  const anyOpenIngress = forApp.some((p) => (p.spec.ingress ?? []).some((r: Obj) => !r.ports?.length));
  if (anyOpenIngress) out.push('a NetworkPolicy lets traffic in to every port of the app');
  return out;
}

function databaseFindings(objects: K8sObject[], e: Expectations): string[] {
  const sets = objects.filter((o) => o.kind === 'StatefulSet') as Obj[];
  if (!e.databaseInCluster) {
    return sets.length ? ['the production overlay runs a database in the cluster'] : [];
  }
  const out: string[] = [];
  if (sets.length !== 1) return [`expected one database StatefulSet, found ${sets.length}`];
  const s = sets[0]!;
  const labels = s.spec.template.metadata.labels;
  if (!s.spec.volumeClaimTemplates?.length) out.push(`StatefulSet/${s.metadata.name}: no PersistentVolumeClaim`);
  const db = s.spec.template.spec.containers[0];
  const fromSecret = (db.env ?? []).filter((v: Obj) => v.valueFrom?.secretKeyRef);
  if (!fromSecret.length) out.push(`StatefulSet/${s.metadata.name}: no password from a Secret`);
  for (const v of fromSecret) {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata?.name === v.valueFrom.secretKeyRef.name) as Obj;
    if (!secret?.data?.[v.valueFrom.secretKeyRef.key]) out.push(`StatefulSet/${s.metadata.name}: ${v.name} names a missing Secret key`);
  }
  if (!db.readinessProbe) out.push(`StatefulSet/${s.metadata.name}: no readiness probe`);
  // Compose escapes `$` as `$$`; left in a Kubernetes probe it would be a literal PID.
  if (JSON.stringify(db.readinessProbe?.exec?.command ?? []).includes('$$')) {
    out.push(`StatefulSet/${s.metadata.name}: the readiness probe kept compose's $$ escape`);
  }
  const governing = objects.find((o) => o.kind === 'Service' && o.metadata?.name === s.spec.serviceName) as Obj;
  if (!governing || !matches(governing.spec.selector, labels)) out.push(`StatefulSet/${s.metadata.name}: no governing Service`);
  const ingress = (objects as Obj[]).some(
    (p) =>
      p.kind === 'NetworkPolicy' &&
      matches(p.spec.podSelector?.matchLabels, labels) &&
      (p.spec.ingress ?? []).some((r: Obj) => r.from?.length && r.ports?.some((x: Obj) => x.port === e.dbPort)),
  );
  if (!ingress) out.push('no NetworkPolicy lets the app (and only named peers) in to the database');
  return out;
}

/**
 * Names the API server would refuse: DNS labels (63) for Services and Namespaces, 52 for a
 * StatefulSet (its pods' controller-revision-hash label adds 11), 63 for label values.
 */
function nameFindings(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const limits: Record<string, number> = { Service: 63, Namespace: 63, StatefulSet: 52 };
  for (const o of objects as Obj[]) {
    const name = String(o.metadata?.name ?? '');
    const limit = limits[o.kind] ?? 253;
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > limit) {
      out.push(`${o.kind}/${name}: not a valid name of at most ${limit} characters`);
    }
    const labels = { ...o.metadata?.labels, ...o.spec?.template?.metadata?.labels };
    for (const [k, v] of Object.entries(labels)) {
      if (String(v).length > 63) out.push(`${o.kind}/${name}: label ${k} is longer than 63 characters`);
    }
  }
  return out;
}

/** Everything a platform engineer's review would flag in one rendered overlay. */
export function reviewFindings(objects: K8sObject[], e: Expectations): string[] {
  return [
    ...workloadFindings(objects, e),
    ...appFindings(objects, e),
    ...databaseFindings(objects, e),
    ...nameFindings(objects),
  ];
}
