import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../src/strict-json.ts';
import { MemoryRepository } from './memory-repository.ts';
import { serve } from './serve.ts';

// What the Express setup adds to the contract that test/app.test.ts holds every framework to:
// the error middleware's messages, 405 with Allow, strict routing, the body limit while a body streams in.

let repository: MemoryRepository;
let server: Awaited<ReturnType<typeof serve>>;

beforeEach(async () => {
  repository = new MemoryRepository();
  server = await serve({ repository });
});

afterEach(async () => {
  await server.close();
});

describe('POST /items', () => {
  it('says what is wrong without echoing parser internals', async () => {
    expect((await server.request('POST', '/items', '{"name": ')).json()).toEqual({
      error: 'request body is not valid JSON',
    });
    expect((await server.request('POST', '/items', { name: '' })).json().error).toMatch(/name/);
  });

  it('rejects a chunked body over 1 MiB with 413 while it arrives', async () => {
    // No length announced, so the limit is enforced while the bytes arrive.
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 2 * (BODY_LIMIT / (64 * 1024)); i++) {
          controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        }
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toEqual({ error: expect.any(String) });
  });
});

describe('errors', () => {
  it('matches paths exactly: a trailing slash is a JSON 404', async () => {
    const res = await server.request('GET', '/items/');
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it('answers methods a path does not serve with a JSON 405 and Allow', async () => {
    for (const [method, path, allow] of [
      ['PATCH', '/items/1', 'GET, HEAD, PUT, DELETE'],
      ['DELETE', '/items', 'GET, HEAD, POST'],
      ['POST', '/health', 'GET, HEAD'],
    ] as const) {
      const res = await server.request(method, path);
      expect(res.status).toBe(405);
      expect(res.header('allow')).toBe(allow);
      expect(res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('answers undecodable percent-escapes in the path with a JSON 400 that says so', async () => {
    const res = await server.request('GET', '/items/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'request path has an undecodable percent-escape' });
  });
});
