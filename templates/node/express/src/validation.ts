import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { ItemInput } from './items.ts';

// Adds `.openapi()` to zod schemas, so src/openapi.ts documents the very schemas that validate.
extendZodWithOpenApi(z);

export const MAX_NAME_LENGTH = 200;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/**
 * POST and PUT bodies. Unknown fields are stripped (ignored), and nothing is coerced:
 * `{"name": 5}` is refused rather than turned into "5". The length counts characters
 * (code points), not UTF-16 units, so an emoji counts once.
 */
export const itemBodySchema = z
  .object({
    name: z
      .string()
      .refine((s) => s.length > 0, 'name must not be empty')
      .refine((s) => [...s].length <= MAX_NAME_LENGTH, `name must be at most ${MAX_NAME_LENGTH} characters`)
      .openapi({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
    description: z.string().nullable().optional(),
  })
  .openapi('ItemInput');

export const itemSchema = z
  .object({
    id: z.union([z.number().int().positive(), z.string()]).openapi({
      description: 'A positive integer in SQL databases, a 24-hex-character ObjectId in MongoDB',
    }),
    name: z.string(),
    description: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Item');

export const errorSchema = z.object({ error: z.string() }).openapi('Error');

// Plain digits only: Number() would also accept "1e1", " 5", "+5" or "0x10".
const integer = (name: string) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be an integer`)
    .transform(Number);

/**
 * `limit` 1–100 (default 20) and `offset` ≥ 0 (default 0). A repeated parameter
 * (`?limit=1&limit=2`) arrives as an array: ambiguous, so refused.
 */
export const pagingSchema = z.object({
  limit: integer('limit')
    .pipe(
      z.number().min(1, `limit must be from 1 to ${MAX_LIMIT}`).max(MAX_LIMIT, `limit must be from 1 to ${MAX_LIMIT}`),
    )
    .optional()
    .default(DEFAULT_LIMIT),
  offset: integer('offset').optional().default(0),
});

export type Paging = z.infer<typeof pagingSchema>;

export function toItemInput(body: z.infer<typeof itemBodySchema>): ItemInput {
  return { name: body.name, description: body.description ?? null };
}

/** The first problem zod found, as one message for `{"error": …}`. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const where = issue.path.join('.');
  return where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message;
}
