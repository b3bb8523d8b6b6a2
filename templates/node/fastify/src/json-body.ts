import type { FastifyInstance } from 'fastify';
import { decodeUtf8, findProblem } from './strict-json.ts';

/** A body that is not strict UTF-8 JSON the API can store unchanged; Fastify answers 400 with its message. */
export class MalformedBodyError extends Error {
  readonly statusCode = 400;
}

/**
 * Parses every request body as JSON, whatever its Content-Type, so a wrong or missing
 * header is the same 400 as malformed JSON (instead of Fastify's 415, or a text/plain body
 * arriving as a string). Fastify's own JSON parser keeps its prototype-poisoning checks;
 * strict-json.ts adds what it lets through: invalid UTF-8, lone surrogates, NUL characters
 * and deep nesting.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const text = decodeUtf8(body as Buffer);
    if (text === null) {
      done(new MalformedBodyError('request body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, (err, value) => {
      if (err) {
        done(err, undefined);
        return;
      }
      const problem = findProblem(value);
      done(problem ? new MalformedBodyError(problem) : null, problem ? undefined : value);
    });
  });
}
