/**
 * `.env` holds the user's secrets and local settings: update never rewrites it. Only
 * `NAME=` assignments are read (the generator writes nothing else there); values stay
 * as the user has them.
 */
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

export function envValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = ASSIGNMENT.exec(line);
    if (m) values.set(m[1]!, m[2]!.trim());
  }
  return values;
}

/**
 * The variables `next` (a freshly rendered `.env`, whose secrets are the user's where
 * they exist and fresh random ones where they are new) defines and `current` lacks,
 * appended after a comment. Returns null when nothing is missing.
 */
export function appendMissing(current: string, next: string, version: string): { text: string; added: string[] } | null {
  const have = envValues(current);
  const missing = next.split(/\r?\n/).filter((line) => {
    const m = ASSIGNMENT.exec(line);
    return m !== null && !have.has(m[1]!);
  });
  if (missing.length === 0) return null;
  const sep = current === '' || current.endsWith('\n') ? '' : '\n';
  return {
    text: `${current}${sep}# Added by create-backend-starter ${version} update\n${missing.join('\n')}\n`,
    added: missing.map((l) => ASSIGNMENT.exec(l)![1]!),
  };
}
