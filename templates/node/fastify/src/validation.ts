import type { ItemInput } from './items.ts';

export const MAX_NAME_LENGTH = 200;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/**
 * JSON schema for POST and PUT bodies, checked by Fastify before a handler runs.
 * Unknown fields are allowed and ignored; Ajv's type coercion is switched off in
 * app.ts so that `{"name": 5}` is rejected rather than turned into "5".
 */
export const itemBodySchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    description: { type: ['string', 'null'] },
  },
} as const;

/**
 * The paging parameters as they arrive: text. parsePaging() checks and converts them;
 * this schema only describes them for the OpenAPI document (and refuses a repeated one).
 */
export const pagingQuerySchema = {
  type: 'object',
  properties: {
    limit: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: `an integer from 1 to ${MAX_LIMIT}, default ${DEFAULT_LIMIT}`,
    },
    offset: { type: 'string', pattern: '^[0-9]+$', description: 'an integer of 0 or more, default 0' },
  },
} as const;

export function toItemInput(body: { name: string; description?: string | null }): ItemInput {
  return { name: body.name, description: body.description ?? null };
}

export type Paging = { limit: number; offset: number } | { error: string };

// Plain digits only: JSON-schema coercion would also accept "1e1", " 5" or "+5".
const DIGITS = /^\d{1,9}$/;

/** `limit` 1–100 (default 20) and `offset` ≥ 0 (default 0); anything else is an error. */
export function parsePaging(query: Record<string, unknown>): Paging {
  const limit = parseInteger(query.limit, DEFAULT_LIMIT);
  if (limit === null || limit < 1 || limit > MAX_LIMIT) {
    return { error: `limit must be an integer from 1 to ${MAX_LIMIT}` };
  }
  const offset = parseInteger(query.offset, 0);
  if (offset === null) return { error: 'offset must be an integer of 0 or more' };
  return { limit, offset };
}

function parseInteger(raw: unknown, fallback: number): number | null {
  if (raw === undefined) return fallback;
  // A repeated parameter (?limit=1&limit=2) arrives as an array: ambiguous, so rejected.
  if (typeof raw !== 'string' || !DIGITS.test(raw)) return null;
  return Number(raw);
}
