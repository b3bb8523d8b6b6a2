import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The generated Python code is written for the releases it pins (FastAPI, Pydantic 2) and
 * nothing older: no compatibility shims, and no comments about stand-ins it once ran on.
 */
const root = fileURLToPath(new URL('../../templates/python/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'locks' ? [] : sources(full);
    return [full];
  });
}

const OLD_RELEASES: [RegExp, string][] = [
  [/pydantic\s*(?:v?1\b|1\.\d)|pydantic\.v1|on pydantic 1 and 2/i, 'Pydantic 1'],
  [/FastAPI\s*(?:<|before|older than)\s*0\.\d+/i, 'an older FastAPI'],
  [/Debian(?:'s)?\s+(?:packages|0\.\d)/i, "Debian's packaged stand-ins"],
  [/=\s*Depends\(/, '`= Depends()` defaults (Annotated is the pinned FastAPI idiom)'],
  [/router\.lifespan_context|on_event\(/, 'the pre-lifespan start-up hooks'],
];

describe('Python templates', () => {
  const files = sources(root);

  it('are found', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(OLD_RELEASES)('mention no %s shim or stand-in (%s)', (pattern) => {
    const hits = files.filter((file) => pattern.test(readFileSync(file, 'utf8'))).map((file) => path.relative(root, file));
    expect(hits).toEqual([]);
  });
});
