import { describe, expect, it } from 'vitest';
import { get } from './http.ts';

describe('health', () => {
  it('GET /health reports the database up', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('GET /health/live answers without the database', async () => {
    const res = await get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('API description', () => {
  it('GET /openapi.json describes every route', async () => {
    const res = await get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths['/items'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(res.body.paths['/items/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
    expect(res.body.paths).toHaveProperty(['/health']);
    expect(res.body.paths).toHaveProperty(['/health/live']);
  });
});

describe('unknown paths', () => {
  it.each(['/nope', '/items/1/extra', '/health/nope'])('GET %s is a JSON 404', async (path) => {
    const res = await get<{ error: string }>(path);
    expect(res.status).toBe(404);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.body.error).toEqual(expect.any(String));
  });
});
