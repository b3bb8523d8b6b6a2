import net from 'node:net';

// Requests fetch() cannot send (CONNECT, a malformed head, a body that stops), written to a
// socket as they are, and the first response read back by hand.

export interface RawReply {
  /** null: no complete response came before the socket closed or the wait ended. */
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection. */
  closed: boolean;
  elapsedMs: number;
}

/**
 * Connects, runs `send` (which writes and may pause; it never ends the request itself), and
 * resolves with the first response once it is complete, the socket closes, or `waitMs` passes.
 */
export function rawRequest(
  port: number,
  send: (socket: net.Socket) => Promise<void> | void,
  waitMs = 5000,
): Promise<RawReply> {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  return new Promise((resolve) => {
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parse(received), closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parse(received).status !== null) finish(false);
    });
    socket.on('close', () => finish(true));
    // The server may close while we are still sending: that is an answer, not a test error.
    socket.on('error', () => undefined);
    socket.once('connect', () => void Promise.resolve(send(socket)).catch(() => undefined));
  });
}

function parse(data: Buffer): Pick<RawReply, 'status' | 'headers' | 'body'> {
  const none = { status: null, headers: {}, body: '' };
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return none;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const body = data.subarray(end + 4);
  if (body.length < Number(headers['content-length'] ?? 0)) return none;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') };
}
