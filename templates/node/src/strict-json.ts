/** The contract's limit on request bodies: larger ones get 413 before a handler runs. */
export const BODY_LIMIT = 1024 * 1024;
/** Deeper bodies are refused: nothing the API accepts nests, and deep values cost every later walk. */
export const MAX_DEPTH = 64;

// `fatal`: a decoder that replaced bad bytes with U+FFFD would store something the client never sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or null when it is not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The first thing in a parsed JSON body the API refuses, or null: what JSON.parse lets
 * through but cannot be stored as sent. Lone surrogates (`"\ud800"`), NUL characters
 * (which PostgreSQL cannot store) and nesting deeper than MAX_DEPTH, in keys as in values.
 */
export function findProblem(value: unknown, depth = 0): string | null {
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
