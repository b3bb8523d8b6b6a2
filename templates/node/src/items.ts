/** An item as the API returns it. Timestamps are ISO-8601 UTC strings with milliseconds. */
export interface Item {
  /** A positive integer in SQL databases, a 24-hex-character ObjectId string in MongoDB. */
  id: number | string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What POST and PUT accept once validated; PUT replaces both fields. */
export interface ItemInput {
  name: string;
  description: string | null;
}

/**
 * Everything the HTTP layer needs from storage. Ids arrive as the raw path segment:
 * an id that is malformed for the database is treated as missing (null / false), so
 * the routes answer 404 for both without knowing what a valid id looks like.
 */
export interface ItemRepository {
  list(limit: number, offset: number): Promise<Item[]>;
  get(id: string): Promise<Item | null>;
  create(input: ItemInput): Promise<Item>;
  update(id: string, input: ItemInput): Promise<Item | null>;
  remove(id: string): Promise<boolean>;
  /** Throws unless a trivial round trip to the database succeeds. */
  ping(): Promise<void>;
  /** Start-up work that must not stop the service when the database is down. */
  init(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The database could not be reached, or no pooled connection came free in time: the
 * request may succeed later, so the routes answer 503 rather than 500. Repositories
 * throw it for connection-level failures only, never for a rejected query.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
  }
}

/** A ping that gives up after `ms`: a hung database must not hang /health with it. */
export function pingWithin(repository: ItemRepository, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([repository.ping(), timeout]).finally(() => clearTimeout(timer));
}
