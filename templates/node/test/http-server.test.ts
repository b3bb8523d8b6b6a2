import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BODY_LIMIT } from '../src/strict-json.ts';
import type { Listening } from './http.ts';
import { MemoryRepository } from './memory-repository.ts';
import { type RawReply, rawRequest } from './raw-http.ts';
import { listen } from './serve.ts';

// Requests a hostile or broken client sends, over a real socket: each must get a JSON error,
// promptly, never a silent close or a connection held open. Short timeouts stand in for the
// defaults (src/http-server.ts) so the stalls below end in a second.

const TIMEOUTS = { headersMs: 500, requestMs: 1000 };
// How late Node's periodic check may notice a timeout, plus scheduling slack on a busy machine.
const SLACK_MS = 1500;

let server: Listening;
let repository: MemoryRepository;

beforeEach(async () => {
  repository = new MemoryRepository();
  server = await listen({ repository, timeouts: TIMEOUTS });
});

afterEach(async () => {
  await server.close();
});

const send = (request: string, waitMs?: number) =>
  rawRequest(server.port, (socket) => void socket.write(request), waitMs);

function expectJsonError(reply: RawReply, status: number): void {
  expect(reply.status, `got ${JSON.stringify(reply)}`).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(reply.body)).toEqual({ error: expect.any(String) });
}

it.each(['127.0.0.1:443', '/items'])('answers CONNECT %s with a JSON 405, not a silent close', async (target) => {
  expectJsonError(await send(`CONNECT ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`), 405);
});

const BODY = '{"name":"framing"}';
it.each([
  ['an unknown method', `FOO /items HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['Content-Length: abc', `POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n${BODY}`],
  [
    'two different Content-Length headers',
    `POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY.length}\r\nContent-Length: 5\r\n\r\n${BODY}`,
  ],
  [
    'a malformed chunk size',
    `POST /items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${BODY}\r\n0\r\n\r\n`,
  ],
])('answers a request with %s with a JSON 400', async (_, request) => {
  expectJsonError(await send(request), 400);
  expect(repository.items).toEqual([]);
});

it('answers a declared Content-Length over 1 MiB with 413 at once, without waiting for the body', async () => {
  const reply = await send(`POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 2147483648\r\n\r\n{"name":"x`);
  expectJsonError(reply, 413);
  expect(reply.elapsedMs).toBeLessThan(TIMEOUTS.headersMs);
});

it('answers a chunked body with 413 once it passes 1 MiB, before it ends', async () => {
  const piece = 64 * 1024;
  const reply = await rawRequest(server.port, async (socket) => {
    socket.write(
      'POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    for (let sent = 0; sent <= BODY_LIMIT; sent += piece) {
      socket.write(`${piece.toString(16)}\r\n${' '.repeat(piece)}\r\n`);
      await sleep(5);
    }
    // The body never ends: only an answer to the bytes already sent passes.
  });
  expectJsonError(reply, 413);
});

it('answers an unfinished request head with 408 once the head timeout passes', async () => {
  const reply = await send('POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n', 10_000);
  expectJsonError(reply, 408);
  expect(reply.elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 100);
  expect(reply.elapsedMs).toBeLessThan(TIMEOUTS.headersMs + SLACK_MS);
});

it('answers a body that stops short of its Content-Length with 408 once the request timeout passes', async () => {
  const reply = await send('POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"name":"x', 10_000);
  expectJsonError(reply, 408);
  expect(reply.elapsedMs).toBeLessThan(TIMEOUTS.requestMs + SLACK_MS);
  expect(repository.items).toEqual([]);
});
