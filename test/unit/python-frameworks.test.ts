import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { databases } from '../../src/databases/index.js';
import { combinations, connectorFor, frameworkSpec, languageFor } from '../../src/languages/index.js';
import { python } from '../../src/languages/python.js';
import { projectNames } from '../../src/options/names.js';
import { python as versions } from '../../src/versions.js';

interface Pyproject {
  project: { 'requires-python': string; scripts?: Record<string, string> };
  tool: {
    mypy: { python_version: string; exclude?: string[] };
    ruff: { 'target-version': string; 'extend-exclude'?: string[] };
    pytest: { ini_options: Record<string, unknown> };
  };
}

function pyproject(framework: string, db: 'postgres' | 'mysql' = 'postgres'): Pyproject {
  const [file] = python.manifests({
    names: projectNames('my-api'),
    db: databases[db],
    connector: connectorFor('python', framework, db)!,
    framework: frameworkSpec('python', framework)!,
    generatorVersion: '0.0.0',
  });
  if (file?.source !== 'content') throw new Error('pyproject.toml is expected as built content');
  return parseToml(file.content) as unknown as Pyproject;
}

describe('Python frameworks in pyproject.toml', () => {
  it("Django's minimum Python (3.12) sets requires-python, ruff's target and mypy's version", () => {
    const manifest = pyproject('django');
    expect(manifest.project['requires-python']).toBe(`>=${versions.djangoMinimum}`);
    expect(manifest.tool.ruff['target-version']).toBe(`py${versions.djangoMinimum.replace('.', '')}`);
    expect(manifest.tool.mypy.python_version).toBe(versions.djangoMinimum);
  });

  it('FastAPI keeps the language minimum and its console scripts', () => {
    const manifest = pyproject('fastapi');
    expect(manifest.project['requires-python']).toBe(`>=${versions.minimum}`);
    expect(manifest.project.scripts).toEqual({ 'my-api': 'app.__main__:main', 'my-api-migrate': 'app.migrate:main' });
    expect(manifest.tool.mypy.exclude).toBeUndefined();
  });

  it('Django has no console scripts, leaves its generated migrations to makemigrations, and runs pytest-django', () => {
    const manifest = pyproject('django', 'mysql');
    expect(manifest.project.scripts).toBeUndefined();
    expect(manifest.tool.ruff['extend-exclude']).toEqual(['items/migrations']);
    expect(manifest.tool.mypy.exclude).toEqual(['^items/migrations/']);
    expect(manifest.tool.pytest.ini_options.DJANGO_SETTINGS_MODULE).toBe('config.test_settings');
  });

  it('Django refuses MongoDB (no combination to test) and runs its own migrate and server', () => {
    expect(combinations().filter((c) => c.framework === 'django').map((c) => c.db)).toEqual(['postgres', 'mysql']);
    const lang = languageFor('python', 'django');
    expect(lang.sqlMigrationsDir).toBeNull();
    expect(lang.make.targets.migrate).toEqual(['$(PYTHON) manage.py migrate --no-input']);
    expect(lang.container.serve).toEqual(['gunicorn', 'config.wsgi']);
    expect(languageFor('python', 'fastapi').container.serve).toEqual(['python', '-m', 'app']);
  });
});
