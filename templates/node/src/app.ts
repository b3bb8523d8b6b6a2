import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import type { ItemRepository } from './items.ts';
import { itemBodySchema, parsePaging, toItemInput } from './validation.ts';

export interface AppOptions {
  repository: ItemRepository;
  logger?: FastifyServerOptions['logger'];
  /** How long /health waits for the database before answering 503. */
  healthTimeoutMs?: number;
}

/** The contract's limit: larger bodies get 413 before any handler runs. */
export const BODY_LIMIT = 1024 * 1024;

type ItemBody = { name: string; description?: string | null };
type IdParams = { id: string };

export function buildApp({ repository, logger = false, healthTimeoutMs = 2000 }: AppOptions): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: BODY_LIMIT,
    // Fastify coerces types by default; the contract wants `{"name": 5}` rejected.
    ajv: { customOptions: { coerceTypes: false } },
  });

  // Any body is parsed as JSON whatever its Content-Type, so a wrong or missing
  // header is the same 400 as malformed JSON instead of Fastify's 415 (or a text/plain
  // body arriving as a string). Fastify's own parser keeps its prototype-poisoning checks.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (error.validation) {
      return reply.code(400).send({ error: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      // Details go to the log only: a 500 must not leak stack traces, SQL or driver messages.
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'Internal server error' });
    }
    // Fastify's own 4xx errors (invalid JSON, body too large) describe the request, not the server.
    return reply.code(status).send({ error: error.message });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'Not found' }));

  app.addHook('onClose', () => repository.close());

  app.get('/health', async (request, reply) => {
    try {
      await withTimeout(repository.ping(), healthTimeoutMs);
      return { status: 'ok', database: 'up' };
    } catch (err) {
      request.log.warn({ err }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'error', database: 'down' });
    }
  });

  app.get('/items', async (request, reply) => {
    const paging = parsePaging(request.query as Record<string, unknown>);
    if ('error' in paging) return reply.code(400).send({ error: paging.error });
    return repository.list(paging.limit, paging.offset);
  });

  app.post<{ Body: ItemBody }>('/items', { schema: { body: itemBodySchema } }, async (request, reply) => {
    const item = await repository.create(toItemInput(request.body));
    return reply.code(201).send(item);
  });

  app.get<{ Params: IdParams }>('/items/:id', async (request, reply) => {
    const item = await repository.get(request.params.id);
    return item ?? notFound(reply);
  });

  app.put<{ Params: IdParams; Body: ItemBody }>(
    '/items/:id',
    { schema: { body: itemBodySchema } },
    async (request, reply) => {
      const item = await repository.update(request.params.id, toItemInput(request.body));
      return item ?? notFound(reply);
    },
  );

  app.delete<{ Params: IdParams }>('/items/:id', async (request, reply) => {
    if (!(await repository.remove(request.params.id))) return notFound(reply);
    return reply.code(204).send();
  });

  return app;
}

function notFound(reply: FastifyReply) {
  return reply.code(404).send({ error: 'Item not found' });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
