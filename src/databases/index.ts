import { mongo } from './mongo.js';
import { mysql } from './mysql.js';
import { postgres } from './postgres.js';
import type { DatabaseSpec } from './types.js';

/** The database registry: the only list of databases. Order is the order users see. */
export const databases = { postgres, mysql, mongo } as const satisfies Record<string, DatabaseSpec>;

export type DatabaseId = keyof typeof databases;
export const databaseIds = Object.keys(databases) as DatabaseId[];
export type { DatabaseSpec };
