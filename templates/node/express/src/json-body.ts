import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.ts';
import { BODY_LIMIT, decodeUtf8, findProblem } from './strict-json.ts';

/**
 * Every request body parsed as JSON whatever its Content-Type, so a wrong or missing header
 * is the same 400 as malformed JSON. body-parser counts bytes as they arrive and answers 413
 * past BODY_LIMIT without buffering the rest; strict-json.ts adds what JSON.parse lets
 * through: invalid UTF-8 (which body-parser would silently replace), lone surrogates, NUL
 * characters and deep nesting.
 */
export function jsonBody(): RequestHandler[] {
  const parse = express.json({
    limit: BODY_LIMIT,
    type: () => true,
    verify: (_req, _res, buf) => {
      if (decodeUtf8(buf) === null) throw new HttpError(400, 'request body is not valid UTF-8');
    },
  });
  const check: RequestHandler = (req, _res, next) => {
    const problem = findProblem(req.body);
    next(problem ? new HttpError(400, problem) : undefined);
  };
  return [parse, check];
}
