import { describe, expect, it } from 'vitest';
import { combinations, frameworkSpec } from '../../src/languages/index.js';
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
