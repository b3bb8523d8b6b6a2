import type { RequestHandler } from 'express';
import getRawBody from 'raw-body';
import { HttpError } from './errors.ts';
import { BODY_LIMIT, decodeUtf8, findProblem } from './strict-json.ts';

/**
 * Every request body read and parsed as JSON whatever its Content-Type, so a wrong or missing
 * header is the same 400 as malformed JSON. raw-body (what express.json() reads with) refuses a
 * declared length over BODY_LIMIT before reading a byte, and a chunked body at the first byte
 * past it; express.json() itself would read a refused body to its end before answering 413,
 * so a client announcing 2 GiB would wait for an answer it never gets. strict-json.ts adds what
 * JSON.parse lets through: invalid UTF-8, lone surrogates, NUL characters and deep nesting.
 */
export const jsonBody: RequestHandler = async (req, res, next) => {
  let bytes: Buffer;
  try {
    bytes = await getRawBody(req, { length: req.headers['content-length'], limit: BODY_LIMIT });
  } catch (err) {
    // The rest of a refused body is never read, so the connection cannot carry another request.
    res.set('Connection', 'close');
    throw err;
  }
  const text = decodeUtf8(bytes);
  if (text === null) throw new HttpError(400, 'request body is not valid UTF-8');
  try {
    req.body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  const problem = findProblem(req.body);
  if (problem) throw new HttpError(400, problem);
  next();
};
