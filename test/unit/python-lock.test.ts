import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { databases, type DatabaseId } from '../../src/databases/index.js';
import { combinations, connectorFor, frameworkSpec } from '../../src/languages/index.js';
import { python, pythonLockTemplate } from '../../src/languages/python.js';
import { projectNames } from '../../src/options/names.js';
import { python as versions } from '../../src/versions.js';

/**
 * The uv.lock a generated Python project gets is resolved ahead of time
 * (scripts/python-lock.mjs). These tests fail when it no longer matches the project's
 * pyproject.toml or src/versions.ts; `uv sync --locked` would then refuse to install.
 * The fix: `npm run build && node scripts/python-lock.mjs`.
 */

interface LockRequirement {
  name: string;
  extras?: string[];
  specifier?: string;
}

interface Lock {
  'requires-python': string;
  package: {
    name: string;
    version: string;
    source: Record<string, string>;
    metadata?: { 'requires-dist'?: LockRequirement[]; 'requires-dev'?: Record<string, LockRequirement[]> };
  }[];
}

interface Pyproject {
  project: { name: string; 'requires-python': string; dependencies: string[] };
  'dependency-groups': Record<string, string[]>;
}

const normalise = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** `psycopg[binary]==3.3.9` → `psycopg[binary]==3.3.9` with the name normalised as uv writes it. */
function fromManifest(requirement: string): string {
  const match = /^([A-Za-z0-9._-]+)(\[[^\]]*\])?(.*)$/.exec(requirement);
  if (!match) throw new Error(`unparseable requirement ${requirement}`);
  return `${normalise(match[1]!)}${match[2] ?? ''}${match[3]}`;
}

function fromLock(requirement: LockRequirement): string {
  const extras = requirement.extras?.length ? `[${requirement.extras.join(',')}]` : '';
  return `${normalise(requirement.name)}${extras}${requirement.specifier ?? ''}`;
}

/** Every way the lock disagrees with the manifest: empty when uv would accept it as is. */
function lockDrift(pyprojectText: string, lockText: string): string[] {
  const manifest = parseToml(pyprojectText) as unknown as Pyproject;
  const lock = parseToml(lockText) as unknown as Lock;
  const problems: string[] = [];
  if (lock['requires-python'] !== manifest.project['requires-python']) {
    problems.push(`requires-python: lock ${lock['requires-python']}, manifest ${manifest.project['requires-python']}`);
  }
  const own = lock.package.filter((p) => p.source.editable === '.' || p.source.virtual === '.');
  if (own.length !== 1 || own[0]!.name !== manifest.project.name) {
    return [...problems, `the lock's project is ${own.map((p) => p.name).join(', ') || 'missing'}, not ${manifest.project.name}`];
  }
  const compare = (what: string, expected: string[], locked: LockRequirement[] | undefined): void => {
    const want = expected.map(fromManifest).sort();
    const have = (locked ?? []).map(fromLock).sort();
    if (JSON.stringify(want) !== JSON.stringify(have)) {
      problems.push(`${what}: manifest [${want.join(', ')}], lock [${have.join(', ')}]`);
    }
  };
  compare('dependencies', manifest.project.dependencies, own[0]!.metadata?.['requires-dist']);
  for (const [group, requirements] of Object.entries(manifest['dependency-groups'])) {
    compare(`dependency group ${group}`, requirements, own[0]!.metadata?.['requires-dev']?.[group]);
  }
  // What the lock resolved must be what the manifest pins (a lock edited by hand could differ).
  const resolved = new Map(lock.package.map((p) => [normalise(p.name), p.version]));
  const pinned = [...manifest.project.dependencies, ...Object.values(manifest['dependency-groups']).flat()];
  for (const requirement of pinned) {
    const match = /^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)$/.exec(requirement);
    if (!match) {
      problems.push(`${requirement} is not pinned exactly`);
      continue;
    }
    const name = normalise(match[1]!);
    if (resolved.get(name) !== match[2]) problems.push(`${name}: pinned ${match[2]}, locked ${resolved.get(name) ?? 'nothing'}`);
  }
  return problems;
}

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

function generated(framework: string, db: DatabaseId, name = 'drift-check'): { pyproject: string; lock: string } {
  const names = projectNames(name);
  const spec = frameworkSpec('python', framework)!;
  const connector = connectorFor('python', framework, db)!;
  const [pyproject] = python.manifests({ names, db: databases[db], connector, framework: spec, generatorVersion: '0.0.0' });
  if (pyproject?.source !== 'content') throw new Error('pyproject.toml is expected as built content');
  const template = readFileSync(templatesDir + pythonLockTemplate(spec, db), 'utf8');
  return { pyproject: pyproject.content, lock: ejs.render(template, { project: names }) };
}

const pythonCombos = combinations().filter((c) => c.lang === 'python');

describe.each(pythonCombos)('Python ($framework) × $db uv.lock', ({ framework, db }) => {
  it('matches the generated pyproject.toml (else: npm run build && node scripts/python-lock.mjs)', () => {
    const { pyproject, lock } = generated(framework, db);
    expect(lockDrift(pyproject, lock)).toEqual([]);
  });

  it('locks no package whose name a project could take (python.reservedNames lists them all)', () => {
    const locked = (parseToml(generated(framework, db).lock) as unknown as Lock).package.map((p) => normalise(p.name));
    const reserved = new Set<string>(python.reservedNames);
    expect(locked.filter((name) => name !== 'drift-check' && !reserved.has(name))).toEqual([]);
  });

  it('names the project with its own name, not the placeholder', () => {
    expect(generated(framework, db, 'my-api').lock).toMatch(/^name = "my-api"$/m);
    expect(generated(framework, db, 'my-api').lock).not.toContain('cbs-lock-placeholder');
  });
});

describe('lockDrift', () => {
  const { pyproject, lock } = generated('fastapi', 'postgres');

  it('notices a pin that moved without the lock', () => {
    const bumped = pyproject.replace(`fastapi==${versions.packages.fastapi}`, 'fastapi==0.0.1');
    expect(lockDrift(bumped, lock).join('\n')).toMatch(/dependencies: .*fastapi==0\.0\.1/);
  });

  it('notices a dependency the lock does not know', () => {
    const added = pyproject.replace('dev = [', 'dev = [\n  "extra-tool==1.0",');
    expect(lockDrift(added, lock).join('\n')).toMatch(/dependency group dev: .*extra-tool==1\.0/);
  });

  it('notices a lock whose resolved version differs from the pin', () => {
    const edited = lock.replace(/(name = "fastapi"\nversion = )"[^"]+"/, '$1"0.0.1"');
    expect(lockDrift(pyproject, edited)).toContain(`fastapi: pinned ${versions.packages.fastapi}, locked 0.0.1`);
  });

  it('notices another requires-python', () => {
    const older = pyproject.replace(/requires-python = "[^"]+"/, 'requires-python = ">=3.9"');
    expect(lockDrift(older, lock)[0]).toMatch(/^requires-python/);
  });
});
