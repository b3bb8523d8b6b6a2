import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root holds `package.json` and `templates/`. It is found by walking up from
 * this module, so the same code works from `dist/src/`, from the bundle and from tests.
 */
function findPackage(): { root: string; version: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'create-backend-starter') return { root: dir, version: pkg.version };
    } catch {
      // not here; keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('create-backend-starter: cannot find its own package.json');
    dir = parent;
  }
}

const found = findPackage();
const packageRoot = found.root;
export const templatesDir = path.join(packageRoot, 'templates');
export const generatorVersion = found.version;
