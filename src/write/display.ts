/**
 * Paths and arguments come from the user's file system and command line: a folder named
 * `\x1b]0;PWNED\x07` must not retitle or clear their terminal when it is echoed back.
 */

// C0 controls, DEL, C1 controls (a lone 0x9b is CSI on some terminals), and the bidi
// overrides that make a name read differently from what it is.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const code = c.charCodeAt(0);
  return named[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** A path or argument made safe to print: control characters escaped, very long ones cut. */
export function show(s: string, max = 160): string {
  const cut = s.length > max ? `${s.slice(0, Math.floor(max / 2))}…${s.slice(-Math.floor(max / 4))} (${Buffer.byteLength(s)} bytes)` : s;
  return cut.replace(CONTROL, escapeChar);
}

/** Escapes control characters (not newlines) in a whole message before it reaches a terminal. */
export function safeText(s: string): string {
  return s.replace(CONTROL, (c) => (c === '\n' ? c : escapeChar(c)));
}

/** JSON.stringify leaves C1 controls and bidi overrides raw; escape them too (still valid JSON). */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Quote a path for the `cd` hint so that pasting it into bash or zsh goes exactly there:
 * plain names as they are, others in single quotes, and names with control characters
 * in `$'…'` with every such character escaped. A leading dash would read as an option.
 */
export function shellQuote(s: string): string {
  const p = s.startsWith('-') ? `./${s}` : s;
  if (/^[\w./-]+$/.test(p)) return p;
  if (!new RegExp(CONTROL.source).test(p)) return `'${p.replace(/'/g, `'\\''`)}'`;
  const body = p.replace(/[\\']/g, (c) => `\\${c}`).replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `$'${body}'`;
}
