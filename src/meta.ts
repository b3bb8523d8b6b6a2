import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root holds `package.json` and `templates/`. It is found by walking up from
 * this module, so the same code works from `dist/src/`, from the bundle and from tests.
 */
function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'create-backend-starter') return dir;
    } catch {
      // not here; keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('create-backend-starter: cannot find its own package.json');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();
export const templatesDir = path.join(packageRoot, 'templates');
export const generatorVersion = (
  JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;
