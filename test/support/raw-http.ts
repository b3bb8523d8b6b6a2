/**
 * HTTP/1.1 over a plain TCP socket, for requests fetch cannot express: methods it forbids
 * (CONNECT) or rejects (FOO), lying or conflicting Content-Length headers, bodies sent
 * slowly or never finished, several requests pipelined in one write. The response parser
 * is deliberately small: status line, headers, and a body framed by Content-Length,
 * chunked encoding or the connection closing.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  reason: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  /** Milliseconds from the connection being established until this response was complete. */
  atMs: number;
}

export type RawEnd = 'complete' | 'closed' | 'reset' | 'timeout' | 'unparseable' | 'refused';

export interface RawOutcome {
  responses: RawResponse[];
  /** complete: the expected responses arrived; closed/reset: the server ended the connection first. */
  end: RawEnd;
  /** Milliseconds from connecting until the exchange ended. */
  endMs: number;
  /** Bytes the client had written when the exchange ended. */
  sentBytes: number;
  error?: string;
}

export interface RawConnection {
  /** Resolves false once the connection is gone (the caller should stop writing). */
  write(data: string | Uint8Array): Promise<boolean>;
  readonly open: boolean;
  readonly sentBytes: number;
  /** Responses parsed so far (a sender may stop once the server has answered). */
  readonly responses: readonly RawResponse[];
}

export interface RawOptions {
  timeoutMs: number;
  /** The exchange is complete once this many final responses arrived; default 1. */
  responses?: number;
  /** Writes the request(s), possibly slowly. Runs until it resolves or the exchange ends. */
  send(conn: RawConnection): Promise<void>;
  /** Called once the TCP connection is established (before send). */
  onConnect?(): void;
}

const MAX_HEAD = 64 * 1024;

type Parsed = { response: Omit<RawResponse, 'atMs'>; consumed: number } | { informational: number } | 'incomplete' | { error: string };

function parseChunked(buf: Buffer, start: number): { body: Buffer; end: number } | 'incomplete' | { error: string } {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd === -1) return 'incomplete';
    const size = Number.parseInt(buf.subarray(pos, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return { error: 'a malformed chunk size in the response' };
    pos = lineEnd + 2;
    if (size === 0) {
      // Trailers (normally none) end with an empty line.
      const trailerEnd = buf.indexOf('\r\n\r\n', pos - 2);
      if (trailerEnd === -1) return 'incomplete';
      return { body: Buffer.concat(parts), end: trailerEnd + 4 };
    }
    if (buf.length < pos + size + 2) return 'incomplete';
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

function parseOne(buf: Buffer, closed: boolean): Parsed {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd === -1) {
    if (buf.length > MAX_HEAD) return { error: `no end of the response headers within ${MAX_HEAD} bytes` };
    if (closed && buf.length > 0) return { error: `a truncated response: ${JSON.stringify(buf.subarray(0, 200).toString('latin1'))}` };
    return 'incomplete';
  }
  const [statusLine = '', ...lines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) return { error: `not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 200))}` };
  const status = Number(match[1]);
  if (status >= 100 && status < 200 && status !== 101) return { informational: headEnd + 4 };
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const bodyStart = headEnd + 4;
  let body: Buffer;
  let consumed: number;
  if (status === 204 || status === 304) {
    body = Buffer.alloc(0);
    consumed = bodyStart;
  } else if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const chunked = parseChunked(buf, bodyStart);
    if (chunked === 'incomplete') return closed ? { error: 'the connection closed inside a chunked response body' } : 'incomplete';
    if ('error' in chunked) return chunked;
    body = chunked.body;
    consumed = chunked.end;
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (!Number.isSafeInteger(length) || length < 0) return { error: `an invalid Content-Length in the response: ${headers['content-length']}` };
    if (buf.length < bodyStart + length) return closed ? { error: `the connection closed after ${buf.length - bodyStart} of ${length} body bytes` } : 'incomplete';
    body = buf.subarray(bodyStart, bodyStart + length);
    consumed = bodyStart + length;
  } else {
    // Delimited by the connection closing (HTTP/1.0 style).
    if (!closed) return 'incomplete';
    body = buf.subarray(bodyStart);
    consumed = buf.length;
  }
  return { response: { status, reason: match[2] ?? '', headers, body, text: body.toString('utf8') }, consumed };
}

/** Connects to the host and port of `baseUrl`, lets `send` write, and collects what comes back. */
export function rawExchange(baseUrl: string, opts: RawOptions): Promise<RawOutcome> {
  const url = new URL(baseUrl);
  const expected = opts.responses ?? 1;
  return new Promise((resolve) => {
    const responses: RawResponse[] = [];
    let buffer = Buffer.alloc(0);
    let connectedAt = 0;
    let sentBytes = 0;
    let finished = false;
    let socketError: NodeJS.ErrnoException | undefined;
    const socket: Socket = connect({ host: url.hostname, port: Number(url.port || 80) });
    socket.setNoDelay(true);

    const finish = (end: RawEnd, error?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses, end, endMs: connectedAt === 0 ? 0 : Date.now() - connectedAt, sentBytes, ...(error === undefined ? {} : { error }) });
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs);

    const drain = (closed: boolean): void => {
      for (;;) {
        const parsed = parseOne(buffer, closed);
        if (parsed === 'incomplete') return;
        if ('error' in parsed) return finish('unparseable', parsed.error);
        if ('informational' in parsed) {
          buffer = buffer.subarray(parsed.informational);
          continue;
        }
        responses.push({ ...parsed.response, atMs: Date.now() - connectedAt });
        buffer = buffer.subarray(parsed.consumed);
        if (responses.length >= expected) return finish('complete');
        if (buffer.length === 0) return;
      }
    };

    const conn: RawConnection = {
      get open() {
        return !finished && !socket.destroyed && socket.writable;
      },
      get sentBytes() {
        return sentBytes;
      },
      responses,
      write(data) {
        if (!conn.open) return Promise.resolve(false);
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        return new Promise((done) => {
          const flushed = socket.write(bytes, (error) => {
            if (!error) sentBytes += bytes.length;
          });
          if (flushed) return done(conn.open);
          const settle = (): void => {
            socket.off('drain', settle);
            socket.off('close', settle);
            done(conn.open);
          };
          socket.on('drain', settle);
          socket.on('close', settle);
        });
      },
    };

    socket.on('connect', () => {
      connectedAt = Date.now();
      opts.onConnect?.();
      opts.send(conn).catch(() => undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      drain(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      socketError ??= error;
    });
    socket.on('close', () => {
      if (finished) return;
      drain(true);
      if (finished) return;
      if (connectedAt === 0) return finish('refused', socketError?.message ?? 'could not connect');
      if (socketError?.code === 'ECONNRESET' || socketError?.code === 'EPIPE') return finish('reset', socketError.code);
      finish('closed', socketError?.message);
    });
  });
}

/** A request head with Host, and Connection: close unless other headers say otherwise. */
export function requestHead(method: string, target: string, headers: Record<string, string | number> = {}, host = 'localhost'): string {
  const all: Record<string, string | number> = { Host: host, Connection: 'close', ...headers };
  return `${method} ${target} HTTP/1.1\r\n${Object.entries(all)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

/** Writes the whole request at once. */
export function sendAll(...parts: (string | Uint8Array)[]): (conn: RawConnection) => Promise<void> {
  return async (conn) => {
    await conn.write(Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part))));
  };
}
