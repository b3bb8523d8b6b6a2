import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import {
  answerClientError,
  DEFAULT_TIMEOUTS,
  type RequestTimeouts,
  refuseConnect,
  serverOptions,
} from './http-server.ts';
import { DatabaseUnavailableError, type ItemRepository, pingWithin } from './items.ts';
import { registerJsonBodyParser } from './json-body.ts';
import { registerOpenApi, routeSchemas } from './openapi.ts';
import { BODY_LIMIT } from './strict-json.ts';
import { parsePaging, toItemInput } from './validation.ts';

export interface AppOptions {
  repository: ItemRepository;
  logger?: FastifyServerOptions['logger'];
  /** How long /health waits for the database before answering 503. */
  healthTimeoutMs?: number;
  /** How long a client may take to send a request. */
  timeouts?: RequestTimeouts;
}

type ItemBody = { name: string; description?: string | null };
type IdParams = { id: string };

export function buildApp({
  repository,
  logger = false,
  healthTimeoutMs = 2000,
  timeouts = DEFAULT_TIMEOUTS,
}: AppOptions): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: BODY_LIMIT,
    // Fastify coerces types by default; the contract wants `{"name": 5}` rejected.
    ajv: { customOptions: { coerceTypes: false } },
    // Bounded reads of a request head and body; Fastify sets requestTimeout itself (0, off, by default).
    http: serverOptions(timeouts),
    requestTimeout: timeouts.requestMs,
    // Requests Node cannot parse get the contract's `{"error": …}`, not Fastify's own shape.
    clientErrorHandler: answerClientError,
    // Errors found before routing (an undecodable percent-escape in the path) skip the error
    // handler below; Fastify's own answer would not have the contract's `{"error": …}` shape.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const message =
        error.code === 'FST_ERR_BAD_URL' ? 'request path has an undecodable percent-escape' : 'bad request';
      reply.code(400).send({ error: message });
    },
  });

  refuseConnect(app.server);
  registerJsonBodyParser(app);
  registerOpenApi(app);

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (error.validation) {
      return reply.code(400).send({ error: error.message });
    }
    if (error instanceof DatabaseUnavailableError) {
      request.log.warn({ err: error.cause }, 'database unavailable');
      return reply.code(503).send({ error: 'Database unavailable, try again later' });
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

  // Registered as a plugin so that they are added after @fastify/swagger, which documents
  // the routes added once it has loaded.
  app.register(async (api) => {
    api.get('/health', { schema: routeSchemas.health }, async (request, reply) => {
      try {
        await pingWithin(repository, healthTimeoutMs);
        return { status: 'ok', database: 'up' };
      } catch (err) {
        request.log.warn({ err }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'error', database: 'down' });
      }
    });

    // For a liveness probe: a database outage must not get the process restarted.
    api.get('/health/live', { schema: routeSchemas.live }, async () => ({ status: 'ok' }));

    api.get('/items', { schema: routeSchemas.list }, async (request, reply) => {
      const paging = parsePaging(request.query as Record<string, unknown>);
      if ('error' in paging) return reply.code(400).send({ error: paging.error });
      return repository.list(paging.limit, paging.offset);
    });

    api.post<{ Body: ItemBody }>('/items', { schema: routeSchemas.create }, async (request, reply) => {
      const item = await repository.create(toItemInput(request.body));
      return reply.code(201).send(item);
    });

    api.get<{ Params: IdParams }>('/items/:id', { schema: routeSchemas.get }, async (request, reply) => {
      const item = await repository.get(request.params.id);
      return item ?? notFound(reply);
    });

    api.put<{ Params: IdParams; Body: ItemBody }>(
      '/items/:id',
      { schema: routeSchemas.update },
      async (request, reply) => {
        const item = await repository.update(request.params.id, toItemInput(request.body));
        return item ?? notFound(reply);
      },
    );

    api.delete<{ Params: IdParams }>('/items/:id', { schema: routeSchemas.remove }, async (request, reply) => {
      if (!(await repository.remove(request.params.id))) return notFound(reply);
      return reply.code(204).send();
    });
  });

  return app;
}

function notFound(reply: FastifyReply) {
  return reply.code(404).send({ error: 'Item not found' });
}
