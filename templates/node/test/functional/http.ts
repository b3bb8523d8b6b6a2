import { inject } from 'vitest';

// Requests to the service under test, by URL only: these tests never load the app.

export interface Reply<T = unknown> {
  status: number;
  contentType: string;
  body: T;
}

const baseUrl = inject('baseUrl');

export async function request<T = unknown>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  // A string is sent as it is, so malformed JSON reaches the service malformed.
  const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: payload === undefined ? {} : { 'content-type': 'application/json' },
    body: payload,
  });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    contentType,
    body: (contentType.includes('json') && text ? JSON.parse(text) : text) as T,
  };
}

export const get = <T = unknown>(path: string) => request<T>('GET', path);
export const post = <T = unknown>(path: string, body: unknown) => request<T>('POST', path, body);
export const put = <T = unknown>(path: string, body: unknown) => request<T>('PUT', path, body);
export const del = (path: string) => request('DELETE', path);
