import { describe, expect, it } from 'vitest';
import { databaseIds } from '../../src/databases/index.js';
import { templatesDir } from '../../src/meta.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { renderPlan } from '../../src/render/render.js';
import { php as versions } from '../../src/versions.js';

const inputs = { generatorVersion: '9.9.9', secrets: { DB_PASSWORD: 'pw', DB_ROOT_PASSWORD: 'root' } };
const planFor = (db: (typeof databaseIds)[number]) =>
  buildPlan({ lang: 'php', framework: 'symfony', db, name: 'my-api', ci: 'both', docker: true, git: false }, inputs);

/** -1, 0 or 1, comparing dotted numeric versions (`8.4` equals `8.4.0`). */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

describe('PHP: composer.json resolves on the PHP it claims', () => {
  const pinned = { ...versions.packages, ...versions.devPackages };

  it('records the PHP requirement of every pinned package, dev tools included, and of nothing else', () => {
    expect(Object.keys(versions.phpRequirements).sort()).toEqual(Object.keys(pinned).sort());
  });

  it('claims the oldest PHP that every pinned package supports: the strictest of their requirements', () => {
    const strictest = Object.values(versions.phpRequirements).reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));
    expect(versions.minimumPhp).toBe(strictest);
  });

  it('runs its container on a PHP that meets the claim', () => {
    const imagePhp = /^php:(\d+\.\d+\.\d+)-/.exec(versions.image)?.[1];
    expect(imagePhp).toBeDefined();
    expect(compareVersions(imagePhp!, versions.minimumPhp)).toBeGreaterThanOrEqual(0);
    expect(compareVersions(`${versions.runtime}.999`, versions.minimumPhp)).toBeGreaterThanOrEqual(0);
  });

  it.each(databaseIds)('composer.json for %s states that PHP and pins exactly what versions.ts pins', (db) => {
    const file = planFor(db).files.find((f) => f.path === 'composer.json');
    if (file?.source !== 'content') throw new Error('composer.json is not a built file');
    const manifest = JSON.parse(file.content) as { require: Record<string, string>; 'require-dev': Record<string, string> };
    expect(manifest.require.php).toBe(`>=${versions.minimumPhp}`);
    const packages = Object.fromEntries(Object.entries(manifest.require).filter(([name]) => name.includes('/')));
    expect(packages).toEqual(versions.packages);
    expect(manifest['require-dev']).toEqual(versions.devPackages);
  });
});

describe.each(databaseIds)('PHP × %s generated files', (db) => {
  it('are written for what they pin: no PHPUnit 9, no Symfony 5, no development server in production', async () => {
    const files = await renderPlan(planFor(db), templatesDir);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = file.content.toString();
      expect(text, file.path).not.toMatch(/PHPUnit 9|phpunit\/phpunit.*\^9|Symfony 5|PHP_CLI_SERVER_WORKERS|\/proc\/\[0-9\]/i);
    }
    const dockerfile = files.find((f) => f.path === 'Dockerfile')!.content.toString();
    expect(dockerfile).not.toMatch(/-S\s|php -S|bin\/serve/);
    expect(dockerfile).toMatch(/^FROM php:[\d.]+-fpm-/m);
    expect(dockerfile).toMatch(/^CMD .*bin\/start/m);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    const makefile = files.find((f) => f.path === 'Makefile')!.content.toString();
    expect(makefile).toMatch(/^start:.*\n\tbin\/start --php=\$\(PHP\) --php-fpm=\$\(PHP_FPM\) --nginx=\$\(NGINX\)$/m);
  });
});

describe.each(databaseIds)('PHP × %s test layers', (db) => {
  const layers = [
    ['unit', 'Unit'],
    ['integration', 'Integration'],
    ['functional', 'Functional'],
  ] as const;

  it('has a make target, a composer script and a PHPUnit suite per layer; make test runs all three', async () => {
    const files = await renderPlan(planFor(db), templatesDir);
    const text = (path: string) => files.find((f) => f.path === path)!.content.toString();
    const makefile = text('Makefile');
    expect(makefile).toMatch(/^test: test-unit test-integration test-functional ##/m);
    const scripts = (JSON.parse(text('composer.json')) as { scripts: Record<string, string | string[]> }).scripts;
    expect(scripts.test).toEqual(['@test:unit', '@test:integration', '@test:functional']);
    const phpunit = text('phpunit.xml.dist');
    for (const [layer, suite] of layers) {
      expect(makefile).toMatch(new RegExp(`^test-${layer}:.*\\n\\t.*\\$\\(PHPUNIT\\) --testsuite ${suite}$`, 'm'));
      expect([scripts[`test:${layer}`]].flat()).toContain(`phpunit --testsuite ${suite}`);
      expect(phpunit).toContain(`<testsuite name="${suite}">\n            <directory>tests/${suite}</directory>`);
    }
    // The service the functional suite started is stopped by this extension.
    expect(phpunit).toContain('<bootstrap class="MyApi\\Tests\\Functional\\LocalServiceExtension"/>');
  });

  it('keeps the functional layer black-box: HTTP only, never the app object, its storage or HttpFoundation', async () => {
    const files = await renderPlan(planFor(db), templatesDir);
    const functional = files.filter((f) => f.path.startsWith('tests/Functional/'));
    expect(functional.map((f) => f.path)).toEqual(expect.arrayContaining(['tests/Functional/ItemsTest.php', 'tests/Functional/ServiceTest.php']));
    for (const file of functional) {
      const text = file.content.toString();
      expect(text, file.path).not.toMatch(/\bnew App\b|MyApi\\App;|MyApi\\Storage|MyApi\\Items|Symfony\\Component\\HttpFoundation/);
    }
  });
});
