import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { databases } from '../../src/databases/index.js';
import { createBackend } from '../../src/index.js';
import { combinations, languageFor, languages } from '../../src/languages/index.js';
import { MAX_NAME_LENGTH } from '../../src/options/names.js';
import { listTree, tempDir } from '../cli/run-cli.js';
import { skipBecause } from '../skip.js';
import { reviewFindings, type Expectations } from './policy.js';
import { schemaErrors, unknownFieldErrors, type K8sObject } from './schema.js';

const exec = promisify(execFile);
const combos = combinations();

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, bin)));
}

/**
 * `kubectl kustomize` is what the generated README tells users to run; the standalone
 * `kustomize build` (go install sigs.k8s.io/kustomize/kustomize/v5) renders the same.
 */
const renderer: { bin: string; args: string[] } | null = onPath('kubectl')
  ? { bin: 'kubectl', args: ['kustomize'] }
  : onPath('kustomize')
    ? { bin: 'kustomize', args: ['build'] }
    : null;
const noRenderer = 'neither kubectl nor kustomize is on PATH (apt: kubectl or kubernetes-client; or go install sigs.k8s.io/kustomize/kustomize/v5)';

async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await exec(renderer!.bin, [...renderer!.args, dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
}

const overlays = ['local', 'production', 'production + ingress'] as const;
type Overlay = (typeof overlays)[number];

describe.each(combos)('$lang ($framework) × $db Kubernetes config', ({ lang, framework, db }) => {
  const spec = languageFor(lang, framework);
  const database = databases[db];
  let dir = '';
  const rendered = new Map<Overlay, K8sObject[]>();

  beforeAll(async () => {
    dir = path.join(await tempDir(`k8s-${lang}-${framework}-${db}`), 'my-api');
    await createBackend({ directory: dir, lang, framework, db, ci: 'none', docker: true, kubernetes: true, git: true });
    if (!renderer) return;
    // What the generated README tells a user to do before rendering production.
    const prod = path.join(dir, 'k8s/overlays/production');
    await copyFile(path.join(prod, '.env.example'), path.join(prod, '.env'));
    // The optional Ingress, switched on the way the README says.
    const withIngress = path.join(dir, 'k8s/overlays/production-ingress');
    await mkdir(withIngress);
    await writeFile(
      path.join(withIngress, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../production]\ncomponents: [../../components/ingress]\n',
    );
    rendered.set('local', await render(path.join(dir, 'k8s/overlays/local')));
    rendered.set('production', await render(prod));
    rendered.set('production + ingress', await render(withIngress));
  });

  const expectations = (overlay: Overlay): Expectations => ({
    appUid: spec.container.uid,
    appPort: spec.defaultPort,
    allowedImages: (image) =>
      image === database.image ||
      (overlay === 'local' ? image === 'my-api:0.1.0' : image === 'registry.example.com/my-api:0.1.0'),
    databaseInCluster: overlay === 'local',
    dbPort: database.port,
    migrations: database.family === 'sql' ? spec.container.migrate : null,
    shutdownSeconds: spec.container.shutdownSeconds,
    writablePaths: spec.container.writablePaths,
  });

  it('every overlay renders with kustomize', async (ctx) => {
    // The overlays rendered here are the ones generated: a new one cannot slip by unrendered.
    const generated = (await listTree(dir))
      .map((f) => /^k8s\/overlays\/([^/]+)\/kustomization\.yaml$/.exec(f)?.[1])
      .filter((o) => o && o !== 'production-ingress');
    expect(generated).toEqual(overlays.filter((o) => !o.includes('+')));
    if (!renderer) skipBecause(ctx, noRenderer);
    for (const o of overlays) {
      const kinds = rendered.get(o)!.map((x) => x.kind);
      expect(kinds, o).toContain('Deployment');
    }
    expect(rendered.get('local')!.map((x) => x.kind)).toContain('StatefulSet');
    expect(rendered.get('production + ingress')!.map((x) => x.kind)).toContain('Ingress');
  });

  it('every rendered object validates against the Kubernetes API schema, unknown fields rejected', async (ctx) => {
    if (!renderer) skipBecause(ctx, noRenderer);
    const all = overlays.flatMap((o) =>
      rendered.get(o)!.map((object) => ({ label: `${o}: ${object.kind}/${object.metadata?.name}`, object })),
    );
    const errors: string[] = [];
    for (const { label, object } of all) errors.push(...(await schemaErrors(object)).map((e) => `${label}: ${e}`));
    expect(errors).toEqual([]);
    expect(unknownFieldErrors(all)).toEqual([]);
  });

  it.each(overlays)('%s passes the hardening review', (overlay, ctx) => {
    if (!renderer) skipBecause(ctx, noRenderer);
    expect(reviewFindings(rendered.get(overlay)!, expectations(overlay))).toEqual([]);
  });

  it("runs as the Dockerfile's user, with the Dockerfile's commands", async () => {
    const dockerfile = await readFile(path.join(dir, 'Dockerfile'), 'utf8');
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(user, 'the Dockerfile names a USER').toBeTruthy();
    expect(uidOf(user!, dockerfile)).toBe(spec.container.uid);
    const cmd = /^CMD\s+(.+)$/m.exec(dockerfile)?.[1] ?? '';
    const words = (JSON.parse(cmd) as string[]).join(' ');
    expect(words).toContain(spec.container.serve.join(' '));
    if (database.family === 'sql') expect(words).toContain(spec.container.migrate.join(' '));
  });

  // The init container is race-free only if the runner serialises itself on the database;
  // the README says which (the spec's migrationLock), and this keeps that claim true.
  // Document databases have no migrations: no such test is registered for them.
  if (database.family === 'sql') {
    it('the migration runner takes a database lock exactly when the spec says so', async () => {
      const lock = { postgres: 'pg_advisory_lock', mysql: 'GET_LOCK' }[db as 'postgres' | 'mysql'];
      const sources = (await listTree(dir)).filter((f) => !f.endsWith('/') && !f.startsWith('k8s/') && !/(^|\/)(test|tests|spec)\//.test(f));
      let found = false;
      for (const f of sources) if ((await readFile(path.join(dir, f), 'utf8')).includes(lock)) found = true;
      expect(found, `${lock} in the generated sources`).toBe(spec.container.migrationLock);
    });
  }

  it('keeps every Secret out of git and out of the image', async (ctx) => {
    if (!existsSync(path.join(dir, '.git'))) skipBecause(ctx, 'git did not initialise the generated project');
    const { stdout } = await exec('git', ['ls-files'], { cwd: dir });
    const tracked = stdout.split('\n').filter(Boolean);
    expect(tracked).toContain('k8s/overlays/local/.env.example');
    expect(tracked.filter((f) => f === '.env' || f.endsWith('/.env'))).toEqual([]);
    // The passwords the local overlay's Secrets are generated from appear in no tracked file.
    const secretEnv = await readFile(path.join(dir, 'k8s/overlays/local/database/.env'), 'utf8');
    const passwords = [...secretEnv.matchAll(/^[A-Z_]+=(.+)$/gm)].map((m) => m[1]!);
    expect(passwords.length).toBeGreaterThan(0);
    for (const f of tracked) {
      const text = await readFile(path.join(dir, f), 'utf8');
      for (const p of passwords) expect(text.includes(p), `${f} holds a generated password`).toBe(false);
    }
    expect((await readFile(path.join(dir, '.dockerignore'), 'utf8')).split('\n')).toContain('k8s');
  });

  it('uses current kustomize fields only', async () => {
    const files = (await listTree(dir)).filter((f) => f.startsWith('k8s/') && f.endsWith('kustomization.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const deprecated = ['commonLabels', 'commonAnnotations', 'patchesJson6902', 'patchesStrategicMerge', 'vars', 'bases', 'images.newTag: latest'];
    for (const f of files) {
      const k = parseYaml(await readFile(path.join(dir, f), 'utf8')) as Record<string, unknown>;
      for (const field of deprecated) expect(Object.keys(k), f).not.toContain(field);
    }
  });
});

/** The uid of a Dockerfile USER: numeric, created by `useradd --uid`, or an official image's own. */
function uidOf(user: string, dockerfile: string): number {
  const name = user.split(':')[0]!;
  if (/^\d+$/.test(name)) return Number(name);
  const created = new RegExp(`useradd\\b[^\\n]*--uid (\\d+)[^\\n]*\\s${name}\\b`).exec(dockerfile);
  if (created) return Number(created[1]);
  // Users the official base images ship: node (node image), www-data (Debian-based php image).
  const official: Record<string, number> = { node: 1000, 'www-data': 33 };
  if (name in official) return official[name]!;
  throw new Error(`cannot tell the uid of USER ${user}`);
}

describe('the longest project name', () => {
  it('still gives names and labels the API server accepts', async (ctx) => {
    if (!renderer) skipBecause(ctx, noRenderer);
    const name = `long-${'x'.repeat(MAX_NAME_LENGTH - 5)}`;
    const dir = path.join(await tempDir('k8s-long'), name);
    await createBackend({ directory: dir, lang: 'node', db: 'postgres', git: false });
    const objects = await render(path.join(dir, 'k8s/overlays/local'));
    const spec = languages.node;
    const findings = reviewFindings(objects, {
      appUid: spec.container.uid,
      appPort: spec.defaultPort,
      allowedImages: (image) => image === databases.postgres.image || image === `${name}:0.1.0`,
      databaseInCluster: true,
      dbPort: databases.postgres.port,
      migrations: spec.container.migrate,
      shutdownSeconds: spec.container.shutdownSeconds,
      writablePaths: spec.container.writablePaths,
    });
    expect(name).toHaveLength(MAX_NAME_LENGTH);
    expect(findings).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const deployment = (): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'app', image: 'x:1', securityContext: { readOnlyRootFilesystem: true } }] },
      },
    },
  });

  it('reject an unknown field deep inside an object, and a missing required one', async () => {
    const typo = deployment() as any;
    typo.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    expect(unknownFieldErrors([{ label: 'ok', object: deployment() }])).toEqual([]);
    expect(unknownFieldErrors([{ label: 'typo', object: typo }]).join('\n')).toMatch(/readOnlyRootFileSystem/);

    const missing = deployment() as any;
    delete missing.spec.selector;
    expect(await schemaErrors(deployment())).toEqual([]);
    expect((await schemaErrors(missing)).join('\n')).toMatch(/selector/);
    expect(await schemaErrors({ apiVersion: 'apps/v1', kind: 'Deploymnet' })).not.toEqual([]);
  });

  it('flag a pod the hardening review would refuse', () => {
    const e: Expectations = {
      appUid: 1000,
      appPort: 3000,
      allowedImages: () => true,
      databaseInCluster: false,
      dbPort: 5432,
      migrations: null,
      shutdownSeconds: 10,
      writablePaths: ['/tmp'],
    };
    const findings = reviewFindings([deployment()], e).join('\n');
    expect(reviewFindings([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x'.repeat(64) } }], e).join('\n')).toContain(
      'at most 63 characters',
    );
    for (const expected of [
      'runAsNonRoot is not set',
      'allowPrivilegeEscalation is not false',
      'capabilities not all dropped',
      'no memory limit',
      'startupProbe is not GET /health/live',
      'readinessProbe is not GET /health',
      'no default-deny NetworkPolicy',
      'no PodDisruptionBudget',
      'service account token is mounted',
    ]) {
      expect(findings).toContain(expected);
    }
    const latest = deployment() as any;
    latest.spec.template.spec.containers[0].image = 'x:latest';
    expect(reviewFindings([latest], e).join('\n')).toContain('is :latest');
  });
});
