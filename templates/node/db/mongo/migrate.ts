import { COLLECTION, createClient, ensureIndexes } from './repository.ts';

/**
 * MongoDB has no versioned schema: `make migrate` ensures the same indexes the service
 * ensures at start-up, which is idempotent, so nothing is ever reported as applied.
 */
export async function migrate(url: string): Promise<string[]> {
  const client = createClient(url);
  try {
    await ensureIndexes(client.db().collection(COLLECTION));
    return [];
  } finally {
    await client.close();
  }
}
