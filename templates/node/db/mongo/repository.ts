import {
  type Collection,
  MongoClient,
  MongoNetworkError,
  MongoServerSelectionError,
  ObjectId,
  type WithId,
} from 'mongodb';
import { DatabaseUnavailableError, type Item, type ItemInput, type ItemRepository } from '../items.ts';

interface ItemDocument {
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const COLLECTION = 'items';
/** The contract's listing order, newest first, backed by this index. */
export const LIST_INDEX = { createdAt: -1, _id: -1 } as const;

/** Only a 24-hex-character ObjectId can exist; anything else is a 404. */
export function parseId(raw: string): ObjectId | null {
  return /^[0-9a-f]{24}$/i.test(raw) ? new ObjectId(raw) : null;
}

function toItem(doc: WithId<ItemDocument>): Item {
  return {
    id: doc._id.toHexString(),
    name: doc.name,
    description: doc.description,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

export interface ClientOptions {
  /** How long the driver waits on a socket for an answer (a hung server) before the operation fails with 503. */
  queryTimeoutMs?: number;
}

export const QUERY_TIMEOUT_MS = 10_000;
/**
 * Connections per process, as for the SQL pools: one Node process runs one query at a time
 * per connection it holds, and more than this only queues the work on the server instead
 * (the driver's default is 100).
 */
export const POOL_SIZE = 10;

/**
 * The driver connects on the first operation, so the service starts while the database
 * is down; a short server-selection timeout turns "down" into a quick 503, not a hang,
 * and a socket timeout does the same for a server that stops answering mid-operation.
 * (Driver 7 deprecated the per-operation `timeoutMS`: it has no effect.)
 */
export function createClient(url: string, { queryTimeoutMs = QUERY_TIMEOUT_MS }: ClientOptions = {}): MongoClient {
  return new MongoClient(url, {
    serverSelectionTimeoutMS: 2000,
    connectTimeoutMS: 2000,
    socketTimeoutMS: queryTimeoutMs,
    maxPoolSize: POOL_SIZE,
  });
}

export async function ensureIndexes(items: Collection<ItemDocument>): Promise<string[]> {
  return [await items.createIndex(LIST_INDEX, { name: 'items_created_at_id' })];
}

/** No server to talk to (selection timed out, connection refused or lost); other errors are rejected operations. */
async function run<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    // Socket timeouts are MongoNetworkTimeoutError, a MongoNetworkError.
    const unreachable = err instanceof MongoServerSelectionError || err instanceof MongoNetworkError;
    throw unreachable ? new DatabaseUnavailableError(err) : err;
  }
}

export function createRepository(url: string, options: ClientOptions = {}): ItemRepository {
  const client = createClient(url, options);
  // The database named in the URL's path.
  const items = client.db().collection<ItemDocument>(COLLECTION);

  return {
    async list(limit, offset) {
      const docs = await run(items.find().sort(LIST_INDEX).skip(offset).limit(limit).toArray());
      return docs.map(toItem);
    },

    async get(rawId) {
      const _id = parseId(rawId);
      if (_id === null) return null;
      const doc = await run(items.findOne({ _id }));
      return doc ? toItem(doc) : null;
    },

    async create(input: ItemInput) {
      // Millisecond precision, like the SQL variants: BSON dates store exactly that.
      const now = new Date();
      const doc: ItemDocument = { ...input, createdAt: now, updatedAt: now };
      const { insertedId } = await run(items.insertOne(doc));
      return toItem({ _id: insertedId, ...doc });
    },

    async update(rawId, input) {
      const _id = parseId(rawId);
      if (_id === null) return null;
      const doc = await run(
        items.findOneAndUpdate(
          { _id },
          { $set: { name: input.name, description: input.description, updatedAt: new Date() } },
          { returnDocument: 'after' },
        ),
      );
      return doc ? toItem(doc) : null;
    },

    async remove(rawId) {
      const _id = parseId(rawId);
      if (_id === null) return false;
      const { deletedCount } = await run(items.deleteOne({ _id }));
      return deletedCount === 1;
    },

    async ping() {
      await run(client.db().command({ ping: 1 }));
    },

    // Indexes are ensured at start-up (retried by server.ts while the database is down).
    async init() {
      await ensureIndexes(items);
    },

    async close() {
      await client.close();
    },
  };
}
