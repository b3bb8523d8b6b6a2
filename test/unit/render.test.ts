import { describe, expect, it } from 'vitest';
import { combinations, frameworkSpec, type Combination } from '../../src/languages/index.js';
import { templatesDir } from '../../src/meta.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { renderPlan } from '../../src/render/render.js';

const inputs = { generatorVersion: '9.9.9', secrets: { DB_PASSWORD: 'pw', DB_ROOT_PASSWORD: 'root' } };

describe('rendering', () => {
  // No generated file is HTML: ejs's default `<%= %>` escaping turned `SQLAlchemy's` into
  // `SQLAlchemy&#39;s` in the README.
  it.each(combinations().filter((c) => c.db === 'postgres'))('writes text as it is, unescaped ($lang, $framework)', async ({ lang, framework, db }) => {
    const plan = buildPlan({ lang, framework, db, name: 'my-api', ci: 'github', docker: true, kubernetes: true, git: false }, inputs);
    const readme = (await renderPlan(plan, templatesDir)).find((f) => f.path === 'README.md')!.content.toString('utf8');
    expect(readme).toContain(frameworkSpec(lang, framework)!.why);
    expect(readme).not.toMatch(/&#39;|&#34;|&quot;|&amp;|&lt;|&gt;/);
  });
});

describe('the generated README on changing the schema', () => {
  const readmeOf = async (lang: Combination['lang'], framework: string, db: Combination['db']) => {
    const plan = buildPlan({ lang, framework, db, name: 'my-api', ci: 'github', docker: true, kubernetes: true, git: false }, inputs);
    const readme = (await renderPlan(plan, templatesDir)).find((f) => f.path === 'README.md')!.content.toString('utf8');
    return /## Schema\n\n([\s\S]*?)\n\n##/.exec(readme)?.[1].replace(/\s+/g, ' ') ?? '';
  };

  // It said "add a new file with the next number" to Django projects too, whose migrations
  // Django writes itself.
  it('tells each framework its own way: the SQL files, Sequel migrations, Django makemigrations', async () => {
    expect(await readmeOf('python', 'django', 'postgres')).toContain('manage.py makemigrations');
    expect(await readmeOf('python', 'django', 'postgres')).not.toContain('SQL file');
    expect(await readmeOf('ruby', 'sinatra', 'mysql')).toContain('Sequel migration to `db/migrate/`');
    for (const lang of ['node', 'php', 'python'] as const) {
      const framework = combinations().find((c) => c.lang === lang)!.framework;
      expect(await readmeOf(lang, framework, 'postgres')).toContain('add a SQL file to `migrations/`');
    }
    expect(await readmeOf('node', 'fastify', 'mongo')).toContain('needs no migrations');
  });
});
