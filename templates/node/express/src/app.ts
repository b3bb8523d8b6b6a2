import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { errorHandler, HttpError, methodNotAllowed, notFound } from './errors.ts';
import { type ItemRepository, pingWithin } from './items.ts';
import { jsonBody } from './json-body.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { describeIssues, itemBodySchema, pagingSchema, toItemInput } from './validation.ts';

export interface AppOptions {
  repository: ItemRepository;
  log: Logger;
  /** How long /health waits for the database before answering 503. */
  healthTimeoutMs?: number;
}

/**
 * The HTTP layer: routes, validation and the error middleware; no I/O of its own, so the
 * tests run it against an in-memory repository. Express 5 passes a rejected promise from
 * an async handler to the error middleware, so handlers simply throw.
 */
export function buildApp({ repository, log, healthTimeoutMs = 2000 }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Ids and paging are matched exactly as sent: /items/1/ is not /items/1.
  app.set('strict routing', true);
  app.set('case sensitive routing', true);

  const openApi = buildOpenApiDocument('Items API', '0.1.0');

  app
    .route('/health')
    .get(async (_req, res) => {
      try {
        await pingWithin(repository, healthTimeoutMs);
        res.json({ status: 'ok', database: 'up' });
      } catch (err) {
        log.warn({ err }, 'health check: database unreachable');
        res.status(503).json({ status: 'error', database: 'down' });
      }
    })
    .all(methodNotAllowed(['GET', 'HEAD']));

  app
    .route('/health/live')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed(['GET', 'HEAD']));

  app
    .route('/openapi.json')
    .get((_req, res) => {
      res.json(openApi);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));

  app
    .route('/items')
    .get(async (req, res) => {
      const paging = pagingSchema.safeParse(req.query);
      if (!paging.success) throw new HttpError(400, describeIssues(paging.error));
      res.json(await repository.list(paging.data.limit, paging.data.offset));
    })
    .post(jsonBody, async (req, res) => {
      const item = await repository.create(itemInput(req));
      res.status(201).json(item);
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  app
    .route('/items/:id')
    .get(async (req: Request<{ id: string }>, res) => {
      found(res, await repository.get(req.params.id));
    })
    .put(jsonBody, async (req: Request<{ id: string }>, res) => {
      found(res, await repository.update(req.params.id, itemInput(req)));
    })
    .delete(async (req: Request<{ id: string }>, res) => {
      if (!(await repository.remove(req.params.id))) throw itemNotFound();
      res.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'PUT', 'DELETE']));

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}

function itemInput(req: Request) {
  const parsed = itemBodySchema.safeParse(req.body);
  if (!parsed.success) throw new HttpError(400, describeIssues(parsed.error));
  return toItemInput(parsed.data);
}

function found(res: Response, item: unknown): void {
  if (item === null) throw itemNotFound();
  res.json(item);
}

function itemNotFound(): HttpError {
  return new HttpError(404, 'Item not found');
}
