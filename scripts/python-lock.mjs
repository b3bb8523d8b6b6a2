// Refresh every Python framework's locks (`<its locks dir>/<db>.uv.lock.ejs`): uv resolves, from
// PyPI, the pyproject.toml a Python project of each framework × database gets (needs `npm run build` and uv: `pip install uv`, or
// UV=/path/to/uv). The previous lock is the starting point, so packages that are not pinned
// keep their versions; `--upgrade` moves them to the newest that fit too. Generated projects
// copy these locks with their own name, so generating stays fast and offline.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databases } from '../dist/src/databases/index.js';
import { combinations, connectorFor, frameworkSpec } from '../dist/src/languages/index.js';
import { python, pythonLockTemplate } from '../dist/src/languages/python.js';
import { projectNames } from '../dist/src/options/names.js';

// Any valid project name that no real package has; the lock names the project once.
const PLACEHOLDER = 'cbs-lock-placeholder';
const NAME_LINE = (name) => `name = ${JSON.stringify(name)}`;
const TEMPLATE_NAME_LINE = 'name = "<%= project.name %>"';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const uv = process.env.UV ?? 'uv';
const upgrade = process.argv.includes('--upgrade');

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const { framework: id, db } of combinations().filter((c) => c.lang === 'python' && (only.length === 0 || only.includes(c.framework)))) {
  const framework = frameworkSpec('python', id);
  const connector = connectorFor('python', id, db);
  const work = mkdtempSync(path.join(tmpdir(), `python-lock-${id}-${db}-`));
  try {
    const [pyproject] = python.manifests({
      names: projectNames(PLACEHOLDER),
      db: databases[db],
      connector,
      framework,
      generatorVersion: '0.0.0',
    });
    writeFileSync(path.join(work, 'pyproject.toml'), pyproject.content);
    const template = path.join(root, 'templates', pythonLockTemplate(framework, db));
    if (existsSync(template)) {
      const previous = readFileSync(template, 'utf8').replaceAll(TEMPLATE_NAME_LINE, NAME_LINE(PLACEHOLDER));
      writeFileSync(path.join(work, 'uv.lock'), previous);
    }
    execFileSync(uv, ['lock', '--no-progress', ...(upgrade ? ['--upgrade'] : [])], { cwd: work, stdio: 'inherit' });
    const lock = readFileSync(path.join(work, 'uv.lock'), 'utf8');
    const lines = lock.split('\n').filter((line) => line === NAME_LINE(PLACEHOLDER));
    if (lines.length !== 1) throw new Error(`expected the project name once in ${id} × ${db}'s uv.lock, found ${lines.length}`);
    const next = lock.replace(NAME_LINE(PLACEHOLDER), TEMPLATE_NAME_LINE);
    const before = existsSync(template) ? readFileSync(template, 'utf8') : '';
    writeFileSync(template, next);
    console.log(`${path.relative(root, template)}: ${before === next ? 'up to date' : 'updated'}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
