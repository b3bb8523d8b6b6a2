import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { DEFAULT_LIMIT, errorSchema, itemBodySchema, itemSchema, MAX_LIMIT } from './validation.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(errorSchema, description);

const idParams = z.object({ id: z.string().openapi({ description: 'The item id as returned by POST /items' }) });
// Documented as the integers they are; validation reads them as strings first (src/validation.ts).
const pagingQuery = z.object({
  limit: z.number().int().min(1).max(MAX_LIMIT).optional().openapi({ default: DEFAULT_LIMIT }),
  offset: z.number().int().min(0).optional().openapi({ default: 0 }),
});

/** The document served at /openapi.json, built once from the schemas the routes validate with. */
export function buildOpenApiDocument(title: string, version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Readiness: the service and its database',
    responses: {
      200: json(z.object({ status: z.literal('ok'), database: z.literal('up') }), 'Database reachable'),
      503: json(
        z.object({ status: z.literal('error'), database: z.literal('down') }),
        'Database unreachable or slower than 2 s',
      ),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/health/live',
    summary: 'Liveness: the process answers (the database is not touched)',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
  });
  registry.registerPath({
    method: 'get',
    path: '/items',
    summary: 'List items, newest first',
    request: { query: pagingQuery },
    responses: { 200: json(z.array(itemSchema), 'A page of items'), 400: error('Invalid paging values') },
  });
  registry.registerPath({
    method: 'post',
    path: '/items',
    summary: 'Create an item',
    request: { body: { required: true, content: { 'application/json': { schema: itemBodySchema } } } },
    responses: {
      201: json(itemSchema, 'The stored item'),
      400: error('Invalid JSON or fields'),
      413: error('Body larger than 1 MiB'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/items/{id}',
    summary: 'Get an item',
    request: { params: idParams },
    responses: { 200: json(itemSchema, 'The item'), 404: error('No such item') },
  });
  registry.registerPath({
    method: 'put',
    path: '/items/{id}',
    summary: 'Replace an item’s name and description',
    request: {
      params: idParams,
      body: { required: true, content: { 'application/json': { schema: itemBodySchema } } },
    },
    responses: {
      200: json(itemSchema, 'The updated item'),
      400: error('Invalid JSON or fields'),
      404: error('No such item'),
      413: error('Body larger than 1 MiB'),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/items/{id}',
    summary: 'Delete an item',
    request: { params: idParams },
    responses: { 204: { description: 'Deleted' }, 404: error('No such item') },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title, version },
  });
}
