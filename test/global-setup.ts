import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * One temporary root per test run: every generated project goes below it (see
 * test/cli/run-cli.ts tempDir), and it is removed when the run ends. CBS_KEEP_TMP=1 keeps
 * it, to inspect what a failing run generated. Workers inherit the variable.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cbs-run-'));
  process.env.CBS_TMP_ROOT = root;
  return async () => {
    if (process.env.CBS_KEEP_TMP) {
      console.log(`kept the generated projects in ${root}`);
      return;
    }
    await rm(root, { recursive: true, force: true });
  };
}
