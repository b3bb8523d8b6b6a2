import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { databaseIds, databases } from '../../src/databases/index.js';
import { combinations, defaultFramework, languages } from '../../src/languages/index.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Answers } from '../../src/plan/types.js';

const combos = combinations();
const secrets = { DB_PASSWORD: 'pw-one', DB_ROOT_PASSWORD: 'root-one' };
const inputs = { generatorVersion: '9.9.9', secrets };
const answers = (a: Partial<Answers> = {}): Answers => ({
  lang: 'node',
  framework: defaultFramework(a.lang ?? 'node'),
  db: 'postgres',
  name: 'my-api',
  ci: 'github',
  docker: true,
  kubernetes: true,
  git: true,
  ...a,
});
const paths = (a: Answers) => buildPlan(a, inputs).files.map((f) => f.path);
const content = (a: Answers, p: string) => {
  const f = buildPlan(a, inputs).files.find((x) => x.path === p);
  if (!f || f.source !== 'content') throw new Error(`no built file ${p}`);
  return f.content;
};

describe.each(combos)('plan for $lang ($framework) × $db', ({ lang, framework, db }) => {
  const a = answers({ lang, framework, db });

  it('is deterministic and sorted', () => {
    const one = buildPlan(a, inputs);
    expect(buildPlan(a, inputs)).toEqual(one);
    const p = one.files.map((f) => f.path);
    expect(p).toEqual([...p].sort());
  });

  it('puts the secrets in .env only', () => {
    for (const f of buildPlan(a, inputs).files) {
      const text = f.source === 'content' ? f.content : '';
      const hasSecret = text.includes('pw-one') || text.includes('root-one');
      // The root .env, and the k8s/ local overlay's .env files its Secrets are generated from.
      const isEnv = f.path === '.env' || f.path.endsWith('/.env');
      expect(hasSecret, f.path).toBe(isEnv && !f.path.startsWith('k8s/overlays/production/'));
      if (hasSecret) expect(f.source === 'content' && f.secret, f.path).toBe(true);
    }
    expect(content(a, '.env')).toContain('DB_PASSWORD=pw-one');
    expect(content(a, '.env.example')).toContain('DB_PASSWORD=change-me');
    expect(content(a, '.gitignore').split('\n')).toContain('.env');
  });

  it('wires the database into compose with a healthcheck the app waits for', () => {
    const compose = parseYaml(content(a, 'docker-compose.yml'));
    expect(compose.services.db.image).toBe(databases[db].image);
    expect(compose.services.db.image).not.toMatch(/:latest$|^[^:]+$/);
    expect(compose.services.db.healthcheck.test.length).toBeGreaterThan(1);
    expect(compose.services.app.depends_on.db.condition).toBe('service_healthy');
    expect(compose.services.app.environment.DATABASE_URL).toMatch(
      new RegExp(`^${databases[db].scheme}://app:\\$\\{DB_PASSWORD\\}@db:${databases[db].port}/my_api`),
    );
    expect(Object.keys(compose.volumes)).toEqual(['db-data']);
  });

  it('runs the uniform make targets in CI against a database service', () => {
    const wf = parseYaml(content(a, '.github/workflows/ci.yml'));
    const steps = wf.jobs.test.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    // Setup steps (the runtime, its cache) come first.
    expect(steps.slice(steps.indexOf('make install'))).toEqual(['make install', languages[lang].ci.audit.join('\n'), 'make lint', 'make migrate', 'make test']);
    expect(wf.jobs.test.services.db.image).toBe(databases[db].image);
    expect(wf.jobs.test.env.DATABASE_URL).toMatch(new RegExp(`^${databases[db].scheme}://`));
  });
});

describe('options change the plan', () => {
  it('--no-docker drops Dockerfile, compose and .dockerignore', () => {
    const with_ = paths(answers());
    const without = paths(answers({ docker: false }));
    for (const p of ['docker-compose.yml', '.dockerignore']) {
      expect(with_).toContain(p);
      expect(without).not.toContain(p);
    }
  });
  it('--no-kubernetes drops k8s/ and keeps it out of .dockerignore', () => {
    const with_ = paths(answers());
    const without = paths(answers({ kubernetes: false }));
    expect(with_).toContain('k8s/base/kustomization.yaml');
    expect(without.filter((p) => p.startsWith('k8s/'))).toEqual([]);
    // The overlays' .env files must never reach an image (COPY . . in some Dockerfiles).
    expect(content(answers(), '.dockerignore').split('\n')).toContain('k8s');
    expect(content(answers({ kubernetes: false }), '.dockerignore').split('\n')).not.toContain('k8s');
  });
  it('--ci chooses the workflow files', () => {
    const has = (ci: Answers['ci']) => {
      const p = paths(answers({ ci }));
      return [p.includes('.github/workflows/ci.yml'), p.includes('.gitlab-ci.yml')];
    };
    expect(has('github')).toEqual([true, false]);
    expect(has('gitlab')).toEqual([false, true]);
    expect(has('both')).toEqual([true, true]);
    expect(has('none')).toEqual([false, false]);
  });
  it('only changing the secrets changes only .env', () => {
    const a = buildPlan(answers({ db: 'mysql' }), inputs).files;
    const b = buildPlan(answers({ db: 'mysql' }), { ...inputs, secrets: { DB_PASSWORD: 'x', DB_ROOT_PASSWORD: 'y' } }).files;
    const differing = a.filter((f, i) => JSON.stringify(f) !== JSON.stringify(b[i])).map((f) => f.path);
    expect(differing).toEqual(['.env', 'k8s/overlays/local/.env', 'k8s/overlays/local/database/.env']);
  });
  it('refuses to plan without the secrets the database needs', () => {
    expect(() => buildPlan(answers({ db: 'mysql' }), { ...inputs, secrets: { DB_PASSWORD: 'x' } })).toThrow(
      /DB_ROOT_PASSWORD/,
    );
  });
  it('records the answers and version with sorted keys', () => {
    const json = JSON.parse(content(answers(), '.backend-starter.json'));
    expect(json).toEqual({
      answers: { ci: 'github', db: 'postgres', docker: true, framework: 'fastify', git: true, kubernetes: true, lang: 'node', name: 'my-api' },
      generator: 'create-backend-starter',
      version: '9.9.9',
    });
  });
});
