import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/** The contract's limit: body-parser counts bytes as they arrive and refuses larger bodies with 413. */
export const BODY_LIMIT = 1024 * 1024;
/** Deeper bodies are refused: nothing the API accepts nests, and deep values cost every later walk. */
export const MAX_DEPTH = 64;

// `fatal`: a decoder that replaced bad bytes with U+FFFD would store something the client never sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Every request body parsed as JSON whatever its Content-Type, so a wrong or missing header
 * is the same 400 as malformed JSON. On top of JSON.parse it refuses invalid UTF-8 (which
 * body-parser would silently replace), lone surrogates (`"\ud800"`), NUL characters (which
 * PostgreSQL cannot store) and nesting deeper than MAX_DEPTH.
 */
export function jsonBody(): RequestHandler[] {
  const parse = express.json({
    limit: BODY_LIMIT,
    type: () => true,
    verify: (_req, _res, buf) => {
      try {
        utf8.decode(buf);
      } catch {
        throw new HttpError(400, 'request body is not valid UTF-8');
      }
    },
  });
  const check: RequestHandler = (req, _res, next) => {
    const problem = findProblem(req.body, 0);
    next(problem ? new HttpError(400, problem) : undefined);
  };
  return [parse, check];
}

/** The first thing in a parsed body the API refuses, or null. */
function findProblem(value: unknown, depth: number): string | null {
  if (typeof value === 'string') return stringProblem(value);
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return `request body nests deeper than ${MAX_DEPTH} levels`;
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
