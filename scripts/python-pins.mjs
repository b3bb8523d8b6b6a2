// Which Python pins in src/versions.ts have fallen behind PyPI (needs `npm run build`).
// Exits 1 when one has, listing each with the newest release; then update versions.ts and
// refresh the locks (`npm run build && node scripts/python-lock.mjs`).
import { python } from '../dist/src/versions.js';

const pins = {
  ...python.packages,
  ...python.devPackages,
  hatchling: python.buildBackend.split('==')[1],
  uv: python.uv,
};

let behind = 0;
for (const [name, pinned] of Object.entries(pins)) {
  const response = await fetch(`https://pypi.org/pypi/${encodeURIComponent(name)}/json`, {
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`PyPI answered ${response.status} for ${name}`);
  const newest = (await response.json()).info.version;
  const current = newest === pinned;
  if (!current) behind += 1;
  console.log(`${current ? 'ok    ' : 'BEHIND'} ${name} ${pinned}${current ? '' : ` → ${newest}`}`);
}
console.log(behind ? `${behind} Python pin(s) behind PyPI` : 'every Python pin is the newest release on PyPI');
process.exitCode = behind ? 1 : 0;
