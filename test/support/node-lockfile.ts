/**
 * What makes a generated Node project's package-lock.json trustworthy: `npm ci` accepts it
 * for the package.json beside it (same root entry), and it installs exactly the versions
 * src/versions.ts pins for the direct dependencies. `npm ci` itself would only notice the
 * first at install time; this notices both without a network.
 */

export interface Manifest {
  name: string;
  version: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface LockPackage {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
  name?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
}

/** Every way `lock` drifted from `manifest` and `pins` (name → exact version); empty when none. */
export function lockfileDrift(manifest: Manifest, lock: Lockfile, pins: Record<string, string>): string[] {
  const problems: string[] = [];
  const root = lock.packages[''];
  if (lock.lockfileVersion !== 3) problems.push(`lockfileVersion is ${lock.lockfileVersion}, not 3`);
  if (!root) return [...problems, 'no root package entry ("")'];
  for (const field of ['name', 'version'] as const) {
    if (lock[field] !== manifest[field] || root[field] !== manifest[field]) {
      problems.push(`${field}: lockfile has ${lock[field]}/${root[field]}, package.json ${manifest[field]}`);
    }
  }
  for (const field of ['dependencies', 'devDependencies', 'engines'] as const) {
    const want = JSON.stringify(sorted(manifest[field]));
    const got = JSON.stringify(sorted(root[field]));
    if (want !== got) problems.push(`${field}: package.json has ${want}, the lockfile's root entry ${got}`);
  }
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
    const locked = lock.packages[`node_modules/${name}`]?.version;
    if (locked !== pins[name]) problems.push(`${name}: locked at ${locked ?? 'nothing'}, src/versions.ts pins ${pins[name]}`);
  }
  for (const [where, pkg] of Object.entries(lock.packages)) {
    if (where === '' || pkg.link) continue;
    if (!pkg.version || !pkg.integrity) problems.push(`${where}: no version or integrity`);
    if (pkg.resolved) problems.push(`${where}: records a registry URL (${pkg.resolved})`);
  }
  return problems;
}

function sorted(record: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
}
