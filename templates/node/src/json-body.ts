import type { FastifyInstance } from 'fastify';

/** Deeper bodies are refused: nothing the API accepts nests, and deep values cost every later walk. */
export const MAX_DEPTH = 64;

/** A body that is not strict UTF-8 JSON the API can store unchanged; Fastify answers 400 with its message. */
export class MalformedBodyError extends Error {
  readonly statusCode = 400;
}

// `fatal`: a decoder that replaced bad bytes with U+FFFD would store something the client never sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses every request body as JSON, whatever its Content-Type, so a wrong or missing
 * header is the same 400 as malformed JSON (instead of Fastify's 415, or a text/plain body
 * arriving as a string). Fastify's own JSON parser keeps its prototype-poisoning checks;
 * this adds what it lets through: invalid UTF-8, lone surrogates (`"\ud800"`), NUL
 * characters (which PostgreSQL cannot store) and nesting deeper than MAX_DEPTH.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new MalformedBodyError('body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, (err, value) => {
      if (err) {
        done(err, undefined);
        return;
      }
      const problem = findProblem(value, 0);
      done(problem ? new MalformedBodyError(problem) : null, problem ? undefined : value);
    });
  });
}

/** The first thing in a parsed body the API refuses, or null. */
function findProblem(value: unknown, depth: number): string | null {
  if (typeof value === 'string') return stringProblem(value);
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return `body nests deeper than ${MAX_DEPTH} levels`;
  for (const [key, child] of Object.entries(value)) {
    const problem = (Array.isArray(value) ? null : stringProblem(key)) ?? findProblem(child, depth + 1);
    if (problem) return problem;
  }
  return null;
}

function stringProblem(s: string): string | null {
  if (!s.isWellFormed()) return 'strings must not contain lone UTF-16 surrogates';
  if (s.includes('\u0000')) return 'strings must not contain NUL characters';
  return null;
}
