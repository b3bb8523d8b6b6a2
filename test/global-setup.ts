import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FERRETDB_LABEL, startFerretdb, type RunningFerretdb } from './support/ferretdb.js';

/**
 * One temporary root per test run: every generated project goes below it (see
 * test/cli/run-cli.ts tempDir), and it is removed when the run ends. CBS_KEEP_TMP=1 keeps
 * it, to inspect what a failing run generated. Workers inherit the variables set here.
 *
 * MongoDB: unless MONGODB_URL names a server (a real mongod), the run starts its own
 * FerretDB (built and cached on first use) and stops it at the end. CBS_MONGO_SERVER says
 * which of the two the MongoDB tests ran against; CBS_MONGO_UNAVAILABLE says why neither.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cbs-run-'));
  process.env.CBS_TMP_ROOT = root;

  let ferretdb: RunningFerretdb | undefined;
  if (process.env.MONGODB_URL) {
    process.env.CBS_MONGO_SERVER ??= 'MongoDB (MONGODB_URL)';
  } else if (process.env.CBS_NO_FERRETDB === '1') {
    process.env.CBS_MONGO_UNAVAILABLE = 'CBS_NO_FERRETDB=1 and MONGODB_URL is not set';
  } else {
    try {
      ferretdb = await startFerretdb();
      process.env.MONGODB_URL = ferretdb.url;
      process.env.CBS_MONGO_SERVER = FERRETDB_LABEL;
    } catch (error) {
      process.env.CBS_MONGO_UNAVAILABLE = `could not build or start FerretDB: ${(error as Error).message}`;
      console.warn(process.env.CBS_MONGO_UNAVAILABLE);
    }
  }

  return async () => {
    await ferretdb?.stop();
    if (process.env.CBS_KEEP_TMP) {
      console.log(`kept the generated projects in ${root}`);
      return;
    }
    await rm(root, { recursive: true, force: true });
  };
}
